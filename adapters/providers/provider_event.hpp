#pragma once
// One delivery event a provider reported (a webhook entry or a status
// callback), read into Herald's words. The raw event is kept as received.

#include <cstdint>
#include <string>

namespace herald::adapters::providers {

enum class event_effect {
  status,      // moves the attempt's status (sent, delivered, bounced, ...)
  note,        // on the timeline only (deferred, accepted by the carrier)
  engagement,  // opened, clicked, read
  opt_out,     // the recipient unsubscribed or reported spam
  opt_in,      // the recipient resubscribed
  ignored,     // an event kind Herald has no use for; still kept raw
};

struct provider_event {
  std::string provider;             // "sendgrid", "twilio"
  std::string event_id;             // the provider's id of this event: duplicates share it
  std::string attempt_id;           // Herald's attempt, when the provider echoed it back
  std::string provider_message_id;
  std::string event;                // the provider's own word (bounce, open, undelivered, ...)
  event_effect effect = event_effect::ignored;
  std::string status;               // the normalised status (SPEC §5) for effect::status
  std::string reason;               // the provider's reason, if any
  std::string category;             // for opt-outs: the category the recipient left, if any
  std::string recipient;            // the address the provider reported
  std::int64_t at_ms = 0;
  std::string raw_json;             // the event as received, as JSON
};

const char* effect_name(event_effect e);

}  // namespace herald::adapters::providers
