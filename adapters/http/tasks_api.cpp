// POST /v1/tasks/{id}/complete (seed 002): an operator did what the task
// asked (called, posted a letter) and says how it went. The task is closed
// with the outcome; when the task stands for an attempt (a manual channel,
// a fallback with no channel left), that attempt becomes `completed`
// through its owning entity, like any provider report.

#include <boost/json.hpp>

#include "adapters/http/api.hpp"
#include "adapters/http/json_error.hpp"
#include "adapters/http/view_reader.hpp"
#include "domain/engine_event.hpp"
#include "domain/rfc3339.hpp"

namespace json = boost::json;

namespace herald::adapters {

void api::complete_task(const http_request& req, const std::string& id, http_responder respond) const {
  using store_t = storage::rocksdb_event_store;
  if (req.method != "POST") {
    return respond(error_response(405, status{errc::invalid_argument, "use POST " + req.path}));
  }
  json::error_code ec;
  const json::value body = req.body.empty() ? json::value(json::object{}) : json::parse(req.body, ec);
  if (ec || !body.is_object()) {
    return respond(error_response(400, status{errc::parse_error, "the body must be a JSON object", "body"}));
  }
  const json::value* outcome = body.get_object().if_contains("outcome");
  if (!outcome || !outcome->is_string() || outcome->get_string().empty()) {
    return respond(error_response(
        400, status{errc::invalid_argument, "say what was done, e.g. {\"outcome\": \"called, left a message\"}",
                    "outcome"}));
  }
  for (const auto& kv : body.get_object()) {
    if (kv.key() != "outcome") {
      return respond(error_response(400, status{errc::invalid_argument, "unknown member (outcome)",
                                                std::string(kv.key())}));
    }
  }
  auto text = options_.store->view(store_t::view_kind::task, id);
  if (!text) return respond(error_response(500, text.error()));
  if (!*text) return respond(error_response(404, status{errc::not_found, "no task " + id}));
  auto task = domain::task_from_json(json::parse(**text));
  if (!task) return respond(error_response(500, task.error()));
  if (task->status != "task_open") {
    return respond(error_response(409, status{errc::invalid_argument, "the task is already " + task->status, "id"}));
  }
  const std::int64_t now = options_.engine.now_ms ? options_.engine.now_ms() : 0;
  task->status = "completed";
  task->outcome = std::string(outcome->get_string());
  task->completed_at = now;
  // The id makes a second completion racing this one a duplicate.
  auto event = domain::engine::make_event(domain::engine::task_updated, "complete-" + id, task->mapped_to,
                                          json::serialize(json::object{{"task", domain::to_json(*task)}, {"by", req.caller}}),
                                          domain::format_rfc3339_ms(now));
  // The attempt behind the task, if any ("t-" + attempt id), and its owner.
  std::string attempt_id, owner;
  if (id.rfind("t-", 0) == 0) {
    const attempt_facts facts = facts_of_attempt(*options_.store, id.substr(2));
    if (facts.known) {
      attempt_id = id.substr(2);
      owner = facts.owner;
    }
  }
  auto batch = std::make_shared<const std::vector<domain::cloud_event>>(std::vector{std::move(event)});
  const json::value view = domain::to_json(*task);
  auto hook = options_.engine.report_status;
  const std::string said = task->outcome;
  options_.store->append_async(
      domain::event_kind::engine_event, batch,
      [respond, view, hook, attempt_id, owner, said, now](result<storage::append_outcome> out) {
        if (!out) {
          auto r = error_response(503, out.error());
          r.headers.emplace_back("Retry-After", "1");
          return respond(std::move(r));
        }
        if (out->accepted == 0) {
          return respond(error_response(409, status{errc::invalid_argument, "the task is already completed", "id"}));
        }
        if (hook && !owner.empty()) hook(owner, attempt_id, "", {{"completed", said, now}});
        respond(json_response(200, view));
      });
}

}  // namespace herald::adapters
