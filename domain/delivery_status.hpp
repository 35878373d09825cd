#pragma once
// Normalised delivery statuses (SPEC §5) and the filter groups of the
// Communications page. Statuses are stored and served as these strings.
//
//   collecting_data scheduled not_sent queued sent delivered bounced dropped
//   blocked deferred failed undelivered rejected task_open completed
//   not_sent reasons: opted_out no_contact invalid_contact
//                     rules_no_longer_match cancelled

#include <string>
#include <string_view>

namespace herald::domain {

bool is_known_status(std::string_view status);

// Groups: "failed" (delivery failed or the provider refused), "not_sent",
// "completed" (sent, delivered, completed), "all".
bool is_status_group(std::string_view name);
bool status_in_group(std::string_view status, std::string_view group);

}  // namespace herald::domain
