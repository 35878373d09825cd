#include "adapters/http/api.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include <boost/json.hpp>

#include "adapters/http/access_policy.hpp"
#include "adapters/http/json_error.hpp"
#include "adapters/http/query_params.hpp"
#include "adapters/http/static_files.hpp"
#include "domain/entity_record.hpp"
#include "domain/event_decoder.hpp"
#include "domain/rfc3339.hpp"
#include "storage/entity_reader.hpp"

namespace json = boost::json;

namespace herald::adapters {
namespace {

json::value seq_or_null(std::uint64_t seq) { return seq == 0 ? json::value(nullptr) : json::value(seq); }

json::value parse_or_string(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(text) : v;
}

json::object history_item(const storage::stored_event& e) {
  json::object o;
  o["seq"] = e.seq;
  o["recorded_at"] = domain::format_rfc3339_ms(e.recorded_at_ms);
  o["type"] = e.event.type;
  o["source"] = e.event.source;
  o["id"] = e.event.id;
  if (e.event.time) {
    o["time"] = *e.event.time;
  }
  if (e.event.data_kind == domain::data_form::json) {
    o["data"] = parse_or_string(e.event.data);
  } else if (e.event.data_kind == domain::data_form::base64) {
    o["data_base64"] = e.event.data;
  }
  return o;
}

}  // namespace

api::api(api_options options) : options_(std::move(options)), auth_(options_.api_keys) {}

void api::handle(http_request req, http_responder respond) const {
  // CORS only for the origins configured: any other page's script gets no
  // answer it may read. Preflights need no key (browsers send none).
  if (const auto origin = req.header("origin");
      origin && std::find(options_.cors_origins.begin(), options_.cors_origins.end(), *origin) !=
                    options_.cors_origins.end()) {
    if (req.method == "OPTIONS") {
      http_response preflight;
      preflight.status = 204;
      preflight.content_type.clear();
      preflight.headers = {{"Access-Control-Allow-Origin", *origin},
                           {"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"},
                           {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                           {"Access-Control-Max-Age", "600"},
                           {"Vary", "Origin"}};
      return respond(std::move(preflight));
    }
    respond = [respond = std::move(respond), allowed = *origin](http_response r) {
      r.headers.emplace_back("Access-Control-Allow-Origin", allowed);
      r.headers.emplace_back("Vary", "Origin");
      respond(std::move(r));
    };
  }
  if (req.path == "/healthz") {
    return respond(json_response(200, json::object{{"status", "ok"}}));
  }
  if (req.path == "/readyz") {
    const bool ready = !options_.ready || options_.ready();
    return respond(json_response(ready ? 200 : 503,
                                 json::object{{"status", ready ? "ready" : "not_ready"}}));
  }
  if (req.method == "GET") {
    // The page's own files need no key: they hold no data; the page asks
    // for a key before it reads anything.
    if (auto file = static_file(options_.web_dir, req.path)) return respond(std::move(*file));
  }
  // Signed webhooks prove their origin themselves (webhooks_api.cpp).
  if (req.path == "/v1/webhooks/sendgrid" || req.path == "/v1/webhooks/twilio" || req.path == "/v1/webhooks/post" ||
      req.path == "/v1/webhooks/einvoice") {
    req.caller = req.path.substr(std::strlen("/v1/webhooks/"));
    return webhook(req, req.path.substr(std::strlen("/v1/webhooks/")), std::move(respond));
  }
  req.caller = "anonymous";
  if (auth_.enabled()) {
    const auto key = auth_.authenticate(req.header("authorization"));
    if (!key) {
      auto r = error_response(401, status{errc::unauthenticated,
                                          "a valid API key is required: Authorization: Bearer KEY", "Authorization"});
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return respond(std::move(r));
    }
    const std::string needed = required_role(req.method, req.path);
    if (!role_allows(key->role, needed)) {
      return respond(error_response(
          403, status{errc::forbidden,
                      "the key '" + key->name + "' has the role " + key->role + "; " + req.method + " " + req.path +
                          " needs " + needed,
                      "Authorization"}));
    }
    req.caller = key->name;
  }
  if (req.path == "/metrics") return metrics(req, std::move(respond));
  if (req.path == "/v1/events") {
    if (req.method != "POST") {
      return respond(error_response(405, status{errc::invalid_argument, "use POST /v1/events"}));
    }
    return ingest(req, std::move(respond));
  }
  const std::string& path = req.path;
  auto starts = [&](const char* prefix) { return path.compare(0, std::strlen(prefix), prefix) == 0; };
  auto rest = [&](const char* prefix) { return path.substr(std::strlen(prefix)); };
  // The non-empty middle of prefix + ID + suffix ("/v1/tasks/" ID "/complete").
  auto middle = [&](const char* prefix, const char* suffix) -> std::optional<std::string> {
    const std::size_t p = std::strlen(prefix), n = std::strlen(suffix);
    if (path.size() <= p + n || !starts(prefix) || path.compare(path.size() - n, n, suffix) != 0) return std::nullopt;
    return path.substr(p, path.size() - p - n);
  };
  auto get_only = [&](auto&& produce) {
    if (req.method != "GET") {
      return respond(error_response(405, status{errc::invalid_argument, "use GET " + path}));
    }
    respond(produce());
  };
  if (starts("/v1/entities/")) {
    return get_only([&] { return entity(req); });
  }
  for (const char* kind : {"workflow", "template"}) {
    const std::string base = std::string("/v1/") + kind + "s";
    if (path == base) {
      return definitions(req, kind, "", std::move(respond));
    }
    if (starts((base + "/").c_str())) {
      return definitions(req, kind, path.substr(base.size() + 1), std::move(respond));
    }
  }
  if (path == "/v1/admin/time") return admin_time(req, std::move(respond));
  if (path == "/v1/admin/faults") return respond(admin_faults(req));
  if (path == "/v1/lists/types" || path == "/v1/lists/categories") {
    if (req.method == "DELETE") return respond(error_response(405, status{errc::invalid_argument, "use GET or PUT"}));
    return definitions(req, "list", rest("/v1/lists/"), std::move(respond));
  }
  if (auto key = middle("/v1/recipients/", "/preferences")) return preferences(req, *key, std::move(respond));
  if (path == "/v1/log") return get_only([&] { return log(req); });
  if (auto id = middle("/v1/log/", "/reconcile")) return reconcile(req, *id, std::move(respond));
  if (starts("/v1/log/")) return get_only([&] { return attempt(rest("/v1/log/")); });
  if (path == "/v1/communications") {
    if (req.method == "POST") return log_interaction(req, std::move(respond));
    return get_only([&] { return communications(req); });
  }
  if (path == "/v1/send") return send_message(req, std::move(respond));
  if (path == "/v1/communications/resend") {
    if (req.method != "POST") return respond(error_response(405, status{errc::invalid_argument, "use POST " + path}));
    return bulk_resend(req, std::move(respond));
  }
  if (auto id = middle("/v1/communications/", "/resend")) return resend(req, *id, std::move(respond));
  if (auto id = middle("/v1/instances/", "/execute")) return execute(req, *id, std::move(respond));
  if (path == "/v1/queue") return get_only([&] { return queue(req); });
  if (path == "/v1/tasks") return get_only([&] { return tasks(req); });
  if (path == "/v1/download") {
    if (req.method != "GET") return respond(error_response(405, status{errc::invalid_argument, "use GET " + path}));
    return download(req, std::move(respond));
  }
  if (path == "/v1/workflow-errors") return get_only([&] { return workflow_errors(req); });
  if (auto id = middle("/v1/tasks/", "/complete")) return complete_task(req, *id, std::move(respond));
  if (starts("/v1/instances/")) return get_only([&] { return instance(rest("/v1/instances/")); });
  respond(error_response(404, status{errc::not_found, "no endpoint " + req.method + " " + req.path}));
}

void api::ingest(const http_request& req, http_responder respond) const {
  if (options_.overloaded) {
    // Backpressure: nothing is taken while the engine is this far behind;
    // the sender retries after a pause (its events are deduplicated).
    if (std::string why = options_.overloaded(); !why.empty()) {
      return respond(error_response(503, status{errc::unavailable, why}));
    }
  }
  result<std::vector<domain::cloud_event>> decoded = std::vector<domain::cloud_event>{};
  const std::string content_type = req.header("content-type").value_or("");
  if (req.header("ce-specversion")) {
    auto ev = domain::decode_binary_event(req.headers, content_type, req.body);
    decoded = ev ? result<std::vector<domain::cloud_event>>(std::vector{std::move(*ev)})
                 : result<std::vector<domain::cloud_event>>(ev.error());
  } else {
    auto format = domain::body_format_for(content_type);
    decoded = format ? domain::decode_events(req.body, *format)
                     : result<std::vector<domain::cloud_event>>(format.error());
  }
  if (!decoded) {
    return respond(error_response(http_status_for(decoded.error().code()), decoded.error()));
  }
  if (decoded->empty()) {
    return respond(json_response(202, json::object{{"accepted", 0},
                                                   {"duplicates", 0},
                                                   {"first_seq", nullptr},
                                                   {"last_seq", nullptr}}));
  }
  auto batch = std::make_shared<const std::vector<domain::cloud_event>>(std::move(*decoded));
  auto on_accepted = options_.on_accepted;
  options_.store->append_async(
      batch, [batch, on_accepted, respond = std::move(respond)](
                 result<storage::append_outcome> outcome) {
        if (!outcome) {
          // Nothing of the batch is stored: the client may safely retry.
          return respond(error_response(503, outcome.error()));
        }
        if (on_accepted && outcome->accepted > 0) {
          on_accepted(batch, *outcome);
        }
        respond(json_response(202, json::object{{"accepted", outcome->accepted},
                                                {"duplicates", outcome->duplicates},
                                                {"first_seq", seq_or_null(outcome->first_seq)},
                                                {"last_seq", seq_or_null(outcome->last_seq)}}));
      });
}

http_response api::entity(const http_request& req) const {
  const std::string rest = req.path.substr(std::string("/v1/entities/").size());
  auto key = domain::parse_entity_key(rest);
  if (!key) {
    return error_response(400, status{errc::invalid_argument,
                                      "expected /v1/entities/{module}/{id}, got '" + req.path + "'",
                                      "path"});
  }
  auto limit = uint_param(req, "limit", 50, 1, 1000);
  if (!limit) {
    return error_response(400, limit.error());
  }
  auto cursor = uint_param(req, "cursor", UINT64_MAX, 1, UINT64_MAX);
  if (!cursor) {
    return error_response(400, cursor.error());
  }
  const std::string k = key->str();
  auto snapshot = storage::read_entity(*options_.store, k);
  if (!snapshot) {
    return error_response(500, snapshot.error());
  }
  if (!*snapshot) {
    return error_response(404, status{errc::not_found, "no entity " + k});
  }
  const storage::entity_snapshot& snap = **snapshot;
  json::object out;
  out["key"] = k;
  out["module"] = key->module;
  out["id"] = key->id;
  out["deleted"] = snap.deleted;
  out["last_seq"] = snap.last_seq;
  json::value record = snap.record_json.empty() ? json::value(nullptr) : parse_or_string(snap.record_json);
  const json::value* label = record.is_object() ? record.get_object().if_contains("label") : nullptr;
  out["label"] = label ? *label : json::value(nullptr);
  out["record"] = std::move(record);
  json::array changed;
  for (const auto& f : snap.changed_fields) {
    changed.emplace_back(f);
  }
  out["changed_fields"] = std::move(changed);

  auto seqs = options_.store->history(k, *cursor, *limit + 1);
  if (!seqs) {
    return error_response(500, seqs.error());
  }
  json::array items;
  const std::size_t shown = std::min<std::size_t>(seqs->size(), *limit);
  for (std::size_t i = 0; i < shown; ++i) {
    auto e = options_.store->read((*seqs)[i]);
    if (!e) {
      return error_response(500, e.error());
    }
    items.push_back(history_item(*e));
  }
  json::object history;
  history["items"] = std::move(items);
  history["next_cursor"] = seqs->size() > *limit ? json::value(std::to_string((*seqs)[shown - 1]))
                                                 : json::value(nullptr);
  out["history"] = std::move(history);

  // The entity's workflow instances (with why they fired or stopped) and
  // the communications mapped to it (newest first), a thousand of each at most.
  using store_t = storage::rocksdb_event_store;
  constexpr std::size_t most_listed = 1000;
  json::array instances;
  status failure;
  auto st = options_.store->scan_index(store_t::index_kind::entity_instances, k, "",
                                       [&](const std::string& id, const std::string&) {
                                         auto view = options_.store->view_value(store_t::view_kind::instance, id);
                                         if (!view) {
                                           failure = view.error();
                                           return false;
                                         }
                                         if (*view) instances.push_back(std::move(**view));
                                         return instances.size() < most_listed;
                                       });
  if (!st) return error_response(500, st);
  if (!failure.is_ok()) return error_response(500, failure);
  out["instances"] = std::move(instances);
  json::array communications;
  st = options_.store->scan_communications(k, "", [&](const std::string&, json::value view, const std::string&) {
    communications.push_back(std::move(view));
    return communications.size() < most_listed;
  });
  if (!st) return error_response(500, st);
  out["communications"] = std::move(communications);
  return json_response(200, out);
}

}  // namespace herald::adapters
