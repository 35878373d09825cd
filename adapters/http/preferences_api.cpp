// GET/PUT /v1/recipients/{Module/Id}/preferences (SPEC §5): a recipient's
// opt-outs, stored whole as herald.preferences.updated events (audited,
// replayed) and read from the "preferences" view. Provider opt-outs
// (SendGrid unsubscribe, spam report) become such events too
// (webhooks_api.cpp, through preference_change_event).

#include <boost/json.hpp>

#include "adapters/http/api.hpp"
#include "adapters/http/json_error.hpp"
#include "domain/engine_event.hpp"
#include "domain/entity_record.hpp"
#include "domain/preferences.hpp"
#include "domain/rfc3339.hpp"
#include "storage/preferences_reader.hpp"

namespace json = boost::json;

namespace herald::adapters {

domain::cloud_event preference_event(const std::string& id, const std::string& recipient, domain::preferences p,
                                     const std::string& by, std::int64_t now_ms) {
  p.updated_at = domain::format_rfc3339_ms(now_ms);
  p.updated_by = by;
  return domain::engine::make_event(domain::engine::preferences_updated, id, recipient,
                                    json::serialize(json::object{{"preferences", domain::to_json(p, recipient)}}),
                                    p.updated_at);
}

void api::preferences(const http_request& req, const std::string& recipient, http_responder respond) const {
  if (!domain::parse_entity_key(recipient)) {
    return respond(error_response(
        400, status{errc::invalid_argument, "the recipient must be an entity key Module/Id", "recipient"}));
  }
  if (req.method == "GET") {
    return respond(json_response(200, domain::to_json(storage::read_preferences(*options_.store, recipient), recipient)));
  }
  if (req.method != "PUT") {
    return respond(error_response(405, status{errc::invalid_argument, "use GET or PUT " + req.path}));
  }
  json::error_code ec;
  const json::value body = json::parse(req.body, ec);
  if (ec) return respond(error_response(400, status{errc::parse_error, "the body is not JSON: " + ec.message(), "body"}));
  auto parsed = domain::parse_preferences(body);
  if (!parsed) return respond(error_response(400, parsed.error()));
  const std::int64_t now = options_.engine.now_ms ? options_.engine.now_ms() : 0;
  auto event = preference_event(domain::engine::next_event_id("prefs"), recipient, std::move(*parsed), req.caller, now);
  const json::value view = json::parse(event.data).at("preferences");
  auto batch = std::make_shared<const std::vector<domain::cloud_event>>(std::vector{std::move(event)});
  options_.store->append_async(domain::event_kind::engine_event, batch,
                               [respond, view](result<storage::append_outcome> out) {
                                 if (!out) {
                                   auto r = error_response(503, out.error());
                                   r.headers.emplace_back("Retry-After", "1");
                                   return respond(std::move(r));
                                 }
                                 respond(json_response(200, view));
                               });
}

}  // namespace herald::adapters
