#pragma once
// The status webhooks of the letter provider and the Peppol access point
// (SPEC §5: "one endpoint each for post and einvoice"), without I/O. Both
// post JSON — one event or an array of them:
//   {"reference": "<attempt id>", "id": "<event id>", "status": "...",
//    "reason": "...", "at": "<RFC 3339>"}
// post:     printed (note), posted -> sent, delivered, returned -> undelivered,
//           failed
// einvoice: sent, accepted -> delivered, rejected, failed

#include <string>
#include <vector>

#include "adapters/providers/provider_event.hpp"
#include "domain/status.hpp"

namespace herald::adapters::providers {

// `provider` is "post" or "einvoice"; errors name the entry ("[0].status").
result<std::vector<provider_event>> parse_status_webhook(const std::string& provider, const std::string& body);

}  // namespace herald::adapters::providers
