// Workflow and template definitions (SPEC §4, §6): versioned, never edited
// in place. A PUT validates the body, appends a definition event with the
// next version (its event id makes a concurrent PUT of the same version a
// duplicate: 409), and installs it in the running engine once durable.
//
//   PUT    /v1/{workflows|templates}/{id}   200 {"id","version","body"}
//   GET    /v1/{workflows|templates}/{id}   current; ?version=N a past one
//   GET    /v1/{workflows|templates}        every current definition
//   DELETE /v1/{workflows|templates}/{id}   409 for a template a workflow uses

#include <set>

#include <boost/json.hpp>

#include "adapters/http/api.hpp"
#include "adapters/http/json_error.hpp"
#include "adapters/http/query_params.hpp"
#include "domain/engine_event.hpp"
#include "domain/json_fields.hpp"
#include "domain/message_template.hpp"
#include "domain/rfc3339.hpp"
#include "domain/workflow.hpp"

namespace json = boost::json;

namespace herald::adapters {
namespace {

// Returns {"id","version","body"} from a stored {"kind","id","version","body"}.
json::object public_view(const std::string& stored) {
  json::object o = json::parse(stored).as_object();
  o.erase("kind");
  return o;
}

}  // namespace

// A custom list (SPEC §6: communication types, categories):
// {"items": ["Email", "Phone call", ...]}, distinct non-empty names.
status check_list(const json::value& body) {
  const json::value* items = body.is_object() ? body.get_object().if_contains("items") : nullptr;
  if (!items || !items->is_array()) return status{errc::invalid_argument, "a list is {\"items\": [names]}", "items"};
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items->get_array().size(); ++i) {
    const json::value& v = items->get_array()[i];
    const std::string field = "items[" + std::to_string(i) + "]";
    if (!v.is_string() || v.get_string().empty()) return status{errc::invalid_argument, "must be a name", field};
    if (!seen.insert(std::string(v.get_string())).second) return status{errc::invalid_argument, "listed twice", field};
  }
  for (const auto& kv : body.get_object()) {
    if (kv.key() != "items") return status{errc::invalid_argument, "unknown member", std::string(kv.key())};
  }
  return status::ok();
}

void api::definitions(const http_request& req, const std::string& kind, const std::string& id,
                      http_responder respond) const {
  auto* store = options_.store;
  const std::string plural = kind + "s";
  if (id.empty()) {
    if (req.method != "GET") {
      return respond(error_response(405, status{errc::invalid_argument, "use GET /v1/" + plural + " or PUT /v1/" + plural + "/{id}"}));
    }
    json::array items;
    auto st = store->scan_definitions([&](const std::string& k, const std::string&, const std::string& text) {
      if (k == kind) items.push_back(public_view(text));
      return true;
    });
    if (!st) return respond(error_response(500, st));
    return respond(json_response(200, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}}));
  }
  if (!domain::is_valid_definition_id(id)) {
    return respond(error_response(400, status{errc::invalid_argument,
                                              "an id is 1-100 letters, digits, '-', '_' or '.'", "id"}));
  }
  auto current = store->definition(kind, id);
  if (!current) return respond(error_response(500, current.error()));

  if (req.method == "GET") {
    auto version = uint_param(req, "version", 0, 1, 1u << 30);
    if (!version) return respond(error_response(400, version.error()));
    if (*version > 0) {
      auto body = store->definition_version(kind, id, *version);
      if (!body) return respond(error_response(500, body.error()));
      if (!*body) return respond(error_response(404, status{errc::not_found, "no version " + std::to_string(*version) + " of " + kind + " " + id}));
      return respond(json_response(200, json::object{{"id", id}, {"version", *version}, {"body", json::parse(**body)}}));
    }
    if (!*current) return respond(error_response(404, status{errc::not_found, "no " + kind + " " + id}));
    return respond(json_response(200, public_view(**current)));
  }

  const std::int64_t version_now =
      *current ? domain::json_fields::i64(json::parse(**current).as_object(), "version") : 0;
  const engine_hooks& hooks = options_.engine;
  json::object data;
  std::string type;
  std::int64_t version = version_now + 1;
  if (req.method == "PUT") {
    json::error_code ec;
    json::value body = json::parse(req.body, ec);
    if (ec) return respond(error_response(400, status{errc::parse_error, "body is not valid JSON: " + ec.message()}));
    status valid;
    if (kind == "list") {
      valid = check_list(body);
    } else if (kind == "template") {
      auto t = domain::parse_template(body);
      valid = t ? status::ok() : t.error();
    } else {
      auto exists = [&](const std::string& t) { return hooks.template_exists && hooks.template_exists(t); };
      auto w = domain::parse_workflow(id, body, exists);
      valid = w ? domain::check_workflow_paths(*w, options_.modules) : w.error();
    }
    if (!valid) return respond(error_response(400, valid));
    type = domain::engine::definition_put;
    data = json::object{{"kind", kind}, {"id", id}, {"version", version}, {"body", std::move(body)}};
  } else if (req.method == "DELETE") {
    if (!*current) return respond(error_response(404, status{errc::not_found, "no " + kind + " " + id}));
    if (kind == "template" && hooks.template_used_by) {
      const std::string user = hooks.template_used_by(id);
      if (!user.empty()) {
        return respond(error_response(409, status{errc::invalid_argument,
                                                  "template " + id + " is used by workflow " + user, "id"}));
      }
    }
    type = domain::engine::definition_deleted;
    version = version_now;
    data = json::object{{"kind", kind}, {"id", id}, {"version", version}};
  } else {
    return respond(error_response(405, status{errc::invalid_argument, "use GET, PUT or DELETE"}));
  }

  const std::string now = domain::format_rfc3339_ms(hooks.now_ms ? hooks.now_ms() : 0);
  // The id makes a racing change of the same version a duplicate.
  const std::string event_id = std::string(type == domain::engine::definition_put ? "put/" : "delete/") + kind +
                               "/" + id + "/" + std::to_string(version);
  auto event = domain::engine::make_event(type, event_id, "", json::serialize(data), now);
  auto batch = std::make_shared<const std::vector<domain::cloud_event>>(std::vector{std::move(event)});
  const bool is_put = type == domain::engine::definition_put;
  store->append_async(domain::event_kind::engine_event, batch,
                      [hooks, kind, id, version, data, is_put, respond](result<storage::append_outcome> out) {
                        if (!out) return respond(error_response(503, out.error()));
                        if (out->duplicates > 0) {
                          return respond(error_response(409, status{errc::busy, kind + " " + id +
                                                                                    " changed at the same time; read it and retry"}));
                        }
                        if (is_put) {
                          const std::string body = json::serialize(data.at("body"));
                          if (hooks.definition_put) {
                            if (auto st = hooks.definition_put(kind, id, static_cast<int>(version), body); !st) {
                              return respond(error_response(500, st));
                            }
                          }
                          return respond(json_response(200, json::object{{"id", id}, {"version", version}, {"body", data.at("body")}}));
                        }
                        if (hooks.definition_deleted) hooks.definition_deleted(kind, id);
                        respond(json_response(200, json::object{{"id", id}, {"version", version}, {"deleted", true}}));
                      });
}

}  // namespace herald::adapters
