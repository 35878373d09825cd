#include "domain/engine_facts.hpp"

#include <boost/json.hpp>

#include "domain/engine_event.hpp"
#include "domain/json_fields.hpp"

namespace json = boost::json;
using herald::domain::json_fields::i64;
using herald::domain::json_fields::str;
using herald::domain::json_fields::time_ms;

namespace herald::domain {
namespace {

std::vector<std::pair<std::int64_t, int>> timers(const json::object& d, const char* list) {
  std::vector<std::pair<std::int64_t, int>> out;
  const json::value* v = d.if_contains(list);
  if (!v || !v->is_array()) return out;
  for (const auto& t : v->get_array()) {
    if (!t.is_object()) continue;
    out.emplace_back(i64(t.get_object(), "due"), static_cast<int>(i64(t.get_object(), "action")));
  }
  return out;
}

}  // namespace

std::optional<engine_facts> engine_facts_of(const std::string& type, const json::object& d) {
  // An instance record may carry an attempt too (engine_event.hpp).
  const bool instance_record = type == engine::instance_updated;
  if (!instance_record && type != engine::attempt_updated) return std::nullopt;
  engine_facts facts;
  if (instance_record) {
    const json::value* view = d.if_contains("instance");
    if (!view || !view->is_object()) return std::nullopt;
    const json::object& v = view->get_object();
    instance_facts f;
    f.id = str(v, "id");
    f.entity = str(v, "entity");
    f.state = str(v, "state");
    f.created_at_ms = time_ms(v, "created_at");
    if (const json::value* created = d.if_contains("created"); created && created->is_bool()) {
      f.created = created->get_bool();
    }
    f.timers_remove = timers(d, "timers_remove");
    f.timers_add = timers(d, "timers_add");
    facts.instance = std::move(f);
  }
  const json::value* attempt = d.if_contains("attempt");
  if (!attempt && instance_record) return facts;
  if (!attempt || !attempt->is_object()) return std::nullopt;
  const json::object& a = attempt->get_object();
  attempt_facts f;
  f.id = str(a, "id");
  f.mapped_to = str(a, "mapped_to");
  f.channel = str(a, "channel");
  f.status = str(a, "status");
  f.created_at_ms = time_ms(a, "created_at");
  if (const json::value* content = d.if_contains("content")) {
    f.has_content = true;
    const json::value* attachments = content->is_object() ? content->get_object().if_contains("attachments") : nullptr;
    f.has_attachments = attachments && attachments->is_array() && !attachments->get_array().empty();
  }
  if (const json::value* comm = d.if_contains("communication"); comm && comm->is_object()) {
    f.communication_id = str(comm->get_object(), "id");
  }
  facts.attempt = std::move(f);
  return facts;
}

}  // namespace herald::domain
