// Time skipping for testing workflows (SPEC §8): only when the engine runs
// on a virtual clock (`herald serve --time-skipping`).
//
//   POST /v1/admin/time {"advance": "PT2M"} | {"set": "2026-12-01T08:00:00Z"}
//   200 {"now": RFC 3339} once everything due in the skipped span has fired
//
// Fault injection (`herald serve --fault-injection`, for tests and drills):
//   PUT /v1/admin/faults {"storage": "write_error" | "sync_error" | "no_space" | "none"}
//   GET /v1/admin/faults -> {"storage": ...}

#include <date/tz.h>

#include <boost/json.hpp>

#include "adapters/http/api.hpp"
#include "adapters/http/json_error.hpp"
#include "domain/iso_duration.hpp"
#include "domain/rfc3339.hpp"

namespace json = boost::json;

namespace herald::adapters {

void api::admin_time(const http_request& req, http_responder respond) const {
  const engine_hooks& hooks = options_.engine;
  if (!hooks.advance_time) {
    return respond(error_response(404, status{errc::not_found,
                                              "time skipping is off; start herald serve with --time-skipping"}));
  }
  if (req.method != "POST") {
    return respond(error_response(405, status{errc::invalid_argument, "use POST /v1/admin/time"}));
  }
  json::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object()) {
    return respond(error_response(400, status{errc::parse_error, "body must be {\"advance\": DURATION} or {\"set\": TIME}"}));
  }
  const json::object& o = body.get_object();
  const std::int64_t now = hooks.now_ms();
  std::int64_t to = now;
  if (const json::value* advance = o.if_contains("advance"); advance && o.size() == 1) {
    auto d = advance->is_string() ? domain::parse_iso_duration(advance->get_string())
                                  : result<domain::iso_duration>(status{errc::invalid_argument, "must be a duration"});
    if (!d) return respond(error_response(400, status{errc::invalid_argument, d.error().message(), "advance"}));
    if (d->negative) return respond(error_response(400, status{errc::invalid_argument, "time only moves forward", "advance"}));
    to = domain::add_duration(now, *d, date::locate_zone("UTC"));
  } else if (const json::value* set = o.if_contains("set"); set && o.size() == 1) {
    auto ms = set->is_string() ? domain::parse_rfc3339_ms(set->get_string()) : std::nullopt;
    if (!ms) return respond(error_response(400, status{errc::invalid_argument, "must be an RFC 3339 time", "set"}));
    if (*ms < now) {
      return respond(error_response(400, status{errc::invalid_argument,
                                                "time only moves forward; now is " + domain::format_rfc3339_ms(now), "set"}));
    }
    to = *ms;
  } else {
    return respond(error_response(400, status{errc::invalid_argument, "give exactly one of 'advance' or 'set'"}));
  }
  hooks.advance_time(to, [respond](result<std::int64_t> reached) {
    if (!reached) return respond(error_response(503, reached.error()));
    respond(json_response(200, json::object{{"now", domain::format_rfc3339_ms(*reached)}}));
  });
}

http_response api::admin_faults(const http_request& req) const {
  if (!options_.faults) {
    return error_response(404, status{errc::not_found, "fault injection is off; start herald serve with --fault-injection"});
  }
  if (req.method == "PUT") {
    json::error_code ec;
    json::value body = json::parse(req.body, ec);
    const json::value* storage = (!ec && body.is_object()) ? body.get_object().if_contains("storage") : nullptr;
    if (!storage || !storage->is_string()) {
      return error_response(400, status{errc::invalid_argument, "body must be {\"storage\": FAULT}", "storage"});
    }
    auto fault = storage::parse_storage_fault(storage->get_string());
    if (!fault) return error_response(400, fault.error());
    options_.faults->set(*fault);
  } else if (req.method != "GET") {
    return error_response(405, status{errc::invalid_argument, "use GET or PUT /v1/admin/faults"});
  }
  return json_response(200, json::object{{"storage", storage::storage_fault_name(options_.faults->get())}});
}

}  // namespace herald::adapters
