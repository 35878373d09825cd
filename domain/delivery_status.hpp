#pragma once
// Normalised delivery statuses (SPEC §5) and the filter groups of the
// Communications page. Statuses are stored and served as these strings.
//
//   collecting_data scheduled not_sent queued sent delivered bounced dropped
//   blocked deferred failed undelivered rejected task_open completed
//   unknown (a provider call was under way at a crash; see the README)
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
// The group a status is in ("failed", "not_sent" or "completed"), or the
// group itself when given one; "" for "all" and for statuses in none
// (queued, task_open, scheduled, ...).
std::string_view status_group_of(std::string_view status_or_group);

// Provider reports arrive out of order (a webhook's "processed" after its
// "delivered"): a report moves an attempt's status only forward. Returns
// true when `next` supersedes `current`. Entries that are not delivery
// statuses (deferred, retrying, opened, clicked, read) never do: they go on
// the timeline only.
bool status_supersedes(std::string_view current, std::string_view next);

// A failure after which the next channel of the action is tried (SPEC §5):
// bounced, dropped, blocked, failed, undelivered, rejected.
bool is_hard_failure(std::string_view status);

// Returns true for a plausible E.164 number: '+', a non-zero digit, at most
// 15 digits in all. SMS goes only to these.
bool is_e164(std::string_view number);

}  // namespace herald::domain
