// What an operator does to communications (SPEC §6, seeds 000 and 003):
//   POST /v1/communications/{id}/resend       a new attempt, same content
//   POST /v1/communications/resend            bulk: {"ids": [...]} or
//                                             {"filter": {...}, "dry_run": true}
//   POST /v1/instances/{id}/execute           again, rendered from fresh data
//   POST /v1/communications                   log a manual interaction
//   POST /v1/send                             an ad-hoc message to an entity's recipients
//   POST /v1/log/{attempt}/reconcile          {"outcome": "sent"|"not_sent", "note"?}:
//                                             settles an attempt whose outcome is unknown
// Each goes to the entity actor that owns the target (engine_hooks.operate)
// and answers 201 with the attempts it made, once they are durable.

#include <boost/json.hpp>

#include "adapters/http/api.hpp"
#include "adapters/http/json_error.hpp"
#include "adapters/http/view_reader.hpp"
#include "domain/entity_record.hpp"
#include "domain/json_fields.hpp"

namespace json = boost::json;
using herald::domain::json_fields::str;

namespace herald::adapters {
namespace {

using store_t = storage::rocksdb_event_store;

// The entity whose actor owns a communication: the instance's entity for a
// workflow's, the mapped-to entity for a logged one. Empty: unknown.
std::string communication_owner(const store_t& store, const std::string& id) {
  const json::object comm = read_view(store, store_t::view_kind::communication, id);
  if (comm.empty()) return {};
  const std::string owner = facts_of_attempt(store, str(comm, "latest_attempt_id")).owner;
  return owner.empty() ? str(comm, "mapped_to") : owner;
}

int status_for(const std::string& code) {
  if (code == "not_found") return 404;
  if (code == "unavailable") return 503;
  if (code == "invalid_argument" || code == "parse_error") return 400;
  return 500;
}

http_response made(const result<std::vector<std::string>>& r) {
  if (!r) return error_response(status_for(errc_name(r.error().code())), r.error());
  json::array ids;
  for (const auto& id : *r) ids.emplace_back(id);
  return json_response(201, json::object{{"attempts", std::move(ids)}});
}

}  // namespace

// One operation on one target, sent to the entity actor that owns it:
// POST only; 404 naming the target when `owner_of` finds no owner.
void api::operate_on(const http_request& req, const char* kind, const std::string& id,
                     const std::function<std::string()>& owner_of, const std::string& missing,
                     const std::string& body, http_responder respond) const {
  if (req.method != "POST") return respond(error_response(405, status{errc::invalid_argument, "use POST " + req.path}));
  if (!options_.engine.operate) return respond(error_response(503, status{errc::unavailable, "the engine is not running"}));
  const std::string owner = owner_of();
  if (owner.empty()) return respond(error_response(404, status{errc::not_found, missing + " " + id}));
  options_.engine.operate(owner, kind, id, req.caller, body,
                          [respond](result<std::vector<std::string>> r) { respond(made(r)); });
}

void api::resend(const http_request& req, const std::string& id, http_responder respond) const {
  // Optional {"attempt": ID}: which attempt to send again (default: the newest sent through a channel).
  operate_on(req, "resend", id, [&] { return communication_owner(*options_.store, id); }, "no communication",
             req.body, std::move(respond));
}

void api::execute(const http_request& req, const std::string& id, http_responder respond) const {
  operate_on(req, "execute", id,
             [&] { return str(read_view(*options_.store, store_t::view_kind::instance, id), "entity"); }, "no instance",
             "", std::move(respond));
}

void api::reconcile(const http_request& req, const std::string& id, http_responder respond) const {
  operate_on(req, "reconcile", id, [&] { return facts_of_attempt(*options_.store, id).owner; }, "no attempt",
             req.body, std::move(respond));
}

void api::log_interaction(const http_request& req, http_responder respond) const {
  on_mapped_to(req, "log", std::move(respond));
}

void api::send_message(const http_request& req, http_responder respond) const {
  if (req.method != "POST") return respond(error_response(405, status{errc::invalid_argument, "use POST " + req.path}));
  on_mapped_to(req, "send", std::move(respond));
}

// An operation on the entity the body's "mapped_to" names.
void api::on_mapped_to(const http_request& req, const std::string& kind, http_responder respond) const {
  if (!options_.engine.operate) return respond(error_response(503, status{errc::unavailable, "the engine is not running"}));
  json::error_code ec;
  const json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object()) {
    return respond(error_response(400, status{errc::parse_error, "the body must be a JSON object", "body"}));
  }
  const std::string mapped_to = str(body.get_object(), "mapped_to");
  if (!domain::parse_entity_key(mapped_to)) {
    return respond(error_response(
        400, status{errc::invalid_argument, "name the entity it is about: Module/Id", "mapped_to"}));
  }
  options_.engine.operate(mapped_to, kind, "", req.caller, req.body,
                          [respond](result<std::vector<std::string>> r) { respond(made(r)); });
}

void api::bulk_resend(const http_request& req, http_responder respond) const {
  if (!options_.engine.operate) return respond(error_response(503, status{errc::unavailable, "the engine is not running"}));
  json::error_code ec;
  const json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object()) {
    return respond(error_response(400, status{errc::parse_error, "the body must be a JSON object", "body"}));
  }
  const json::object& b = body.get_object();
  std::vector<std::string> ids;
  if (const json::value* list = b.if_contains("ids")) {
    if (!list->is_array()) return respond(error_response(400, status{errc::invalid_argument, "must be an array", "ids"}));
    for (const auto& v : list->get_array()) {
      if (!v.is_string()) return respond(error_response(400, status{errc::invalid_argument, "ids are text", "ids"}));
      ids.emplace_back(v.get_string());
    }
  } else if (const json::value* filter = b.if_contains("filter"); filter && filter->is_object()) {
    // The same filters as GET /v1/communications, on up to 1000 of them.
    http_request query;
    query.method = "GET";
    for (const auto& kv : filter->get_object()) {
      if (!kv.value().is_string()) {
        return respond(error_response(400, status{errc::invalid_argument, "filter values are text",
                                                  "filter." + std::string(kv.key())}));
      }
      query.query[std::string(kv.key())] = std::string(kv.value().get_string());
    }
    query.query["limit"] = "1000";
    http_response listed = communications(query);
    if (listed.status != 200) {
      auto err = json::parse(listed.body).as_object();
      err["error"].as_object()["field"] = "filter." + str(err["error"].as_object(), "field");
      return respond(json_response(listed.status, err));
    }
    ids = item_ids(listed.body);
  } else {
    return respond(error_response(400, status{errc::invalid_argument, "give \"ids\" or a \"filter\"", "ids"}));
  }
  if (ids.size() > 1000) return respond(error_response(400, status{errc::invalid_argument, "at most 1000", "ids"}));
  const bool dry_run = b.contains("dry_run") && b.at("dry_run").is_bool() && b.at("dry_run").get_bool();
  if (dry_run) {
    json::array list;
    for (const auto& id : ids) list.emplace_back(id);
    return respond(json_response(200, json::object{{"count", ids.size()}, {"ids", std::move(list)}}));
  }
  // One after the other; the answer lists what each did.
  struct progress {
    std::vector<std::string> ids;
    std::size_t next = 0;
    json::array results;
  };
  auto state = std::make_shared<progress>(progress{std::move(ids), 0, {}});
  // The step holds itself only weakly; each pending resend holds it strongly.
  auto step = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak = step;
  *step = [this, state, weak, respond, caller = req.caller] {
    auto self = weak.lock();
    while (state->next < state->ids.size()) {
      const std::string id = state->ids[state->next++];
      const std::string owner = communication_owner(*options_.store, id);
      if (owner.empty()) {
        state->results.push_back(json::object{{"id", id}, {"error", "not_found"}});
        continue;
      }
      options_.engine.operate(owner, "resend", id, caller, "", [state, self, id](result<std::vector<std::string>> r) {
        state->results.push_back(r ? json::object{{"id", id}, {"attempt", r->empty() ? "" : r->front()}}
                                   : json::object{{"id", id}, {"error", r.error().message()}});
        (*self)();
      });
      return;
    }
    respond(json_response(200, json::object{{"count", state->ids.size()}, {"results", state->results}}));
  };
  (*step)();
}

}  // namespace herald::adapters
