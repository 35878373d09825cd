#pragma once
// A recipient's communication preferences (SPEC §5): opted out of
// everything, of a channel, or of a category. Opt-outs are always respected;
// what is not mentioned is allowed.
//
// JSON (PUT body, view and event alike):
//   {"all": "opt_out"|"opt_in",
//    "channels":   {"email": "opt_out", "sms": "opt_in", ...},
//    "categories": {"Newsletter": "opt_out", ...}}
// plus, in the stored view, "recipient", "updated_at" and "updated_by".

#include <map>
#include <string>

#include <boost/json/value.hpp>

#include "domain/status.hpp"

namespace herald::domain {

struct preferences {
  bool all_opted_out = false;
  std::map<std::string, bool> channels;    // channel -> opted out
  std::map<std::string, bool> categories;  // category -> opted out
  std::string updated_at;                  // RFC 3339, set when stored
  std::string updated_by;                  // "api", "sendgrid: unsubscribe", ...
};

// Reads preferences; errors name the member ("channels.email"). Unknown
// channels are refused; categories are free text.
result<preferences> parse_preferences(const boost::json::value& v);

boost::json::value to_json(const preferences& p, const std::string& recipient);

// Why `p` forbids sending `category` over `channel`: "" when allowed.
std::string opt_out_reason(const preferences& p, const std::string& channel, const std::string& category);

}  // namespace herald::domain
