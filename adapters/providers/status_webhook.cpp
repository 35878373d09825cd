#include "adapters/providers/status_webhook.hpp"

#include <boost/json.hpp>

#include "domain/json_fields.hpp"
#include "domain/rfc3339.hpp"

namespace json = boost::json;
using herald::domain::json_fields::str;

namespace herald::adapters::providers {
namespace {

// Herald's word for a provider's status; effect ignored when unknown.
void classify(const std::string& provider, provider_event& e) {
  const std::string& s = e.event;
  auto set = [&e](event_effect effect, const char* status) {
    e.effect = effect;
    e.status = status;
  };
  if (provider == "post") {
    if (s == "printed") set(event_effect::note, "printed");
    else if (s == "posted") set(event_effect::status, "sent");
    else if (s == "delivered") set(event_effect::status, "delivered");
    else if (s == "returned") set(event_effect::status, "undelivered");
    else if (s == "failed") set(event_effect::status, "failed");
  } else {
    if (s == "sent") set(event_effect::status, "sent");
    else if (s == "accepted") set(event_effect::status, "delivered");
    else if (s == "rejected") set(event_effect::status, "rejected");
    else if (s == "failed") set(event_effect::status, "failed");
  }
}

}  // namespace

result<std::vector<provider_event>> parse_status_webhook(const std::string& provider, const std::string& body) {
  json::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec) return status{errc::invalid_argument, "the body is not JSON: " + ec.message(), "body"};
  json::array items;
  if (v.is_object()) items.push_back(v);
  else if (v.is_array()) items = v.get_array();
  else return status{errc::invalid_argument, "the body must be an event object or an array of them", "body"};
  std::vector<provider_event> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string at = "[" + std::to_string(i) + "]";
    if (!items[i].is_object()) return status{errc::invalid_argument, "an event must be a JSON object", at};
    const auto& o = items[i].get_object();
    provider_event e;
    e.provider = provider;
    e.attempt_id = str(o, "reference");
    e.event = str(o, "status");
    if (e.event.empty()) return status{errc::invalid_argument, "the event has no status", at + ".status"};
    if (e.attempt_id.empty()) return status{errc::invalid_argument, "the event has no reference", at + ".reference"};
    e.provider_message_id = str(o, "message_id");
    e.event_id = str(o, "id").empty() ? e.attempt_id + ":" + e.event : str(o, "id");
    e.reason = str(o, "reason");
    if (!str(o, "at").empty()) {
      auto ms = domain::parse_rfc3339_ms(str(o, "at"));
      if (!ms) return status{errc::invalid_argument, "'at' must be an RFC 3339 time", at + ".at"};
      e.at_ms = *ms;
    }
    classify(provider, e);
    e.raw_json = json::serialize(o);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace herald::adapters::providers
