#include "domain/instance.hpp"

#include <algorithm>
#include <charconv>

#include <boost/json.hpp>

#include "domain/json_fields.hpp"
#include "domain/json_text.hpp"
#include "domain/rfc3339.hpp"

namespace json = boost::json;
using namespace herald::domain::json_fields;

namespace herald::domain {

json::array to_json(const std::vector<rule_trace>& trace) {
  json::array out;
  for (const auto& t : trace) {
    out.push_back(json::object{{"rule", t.rule}, {"seen", t.seen}, {"held", t.held}});
  }
  return out;
}

std::vector<rule_trace> trace_from_json(const json::value& v) {
  std::vector<rule_trace> out;
  if (!v.is_array()) return out;
  for (const auto& e : v.get_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.get_object();
    rule_trace t;
    t.rule = str(o, "rule");
    if (const json::value* seen = o.if_contains("seen")) t.seen = *seen;
    t.held = boolean(o, "held");
    out.push_back(std::move(t));
  }
  return out;
}

namespace {

json::array to_json(const std::vector<instance_transition>& timeline) {
  json::array out;
  for (const auto& t : timeline) {
    json::object o{{"state", t.state}};
    if (t.action >= 0) o["action"] = t.action;
    if (!t.reason.empty()) o["reason"] = t.reason;
    if (t.due_ms) o["due"] = format_rfc3339_ms(t.due_ms);
    o["at"] = format_rfc3339_ms(t.at);
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<instance_transition> timeline_from_json(const json::value& v) {
  std::vector<instance_transition> out;
  if (!v.is_array()) return out;
  for (const auto& e : v.get_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.get_object();
    instance_transition t;
    t.state = str(o, "state");
    t.action = o.contains("action") ? static_cast<int>(i64(o, "action")) : -1;
    t.reason = str(o, "reason");
    t.at = time_ms(o, "at");
    t.due_ms = time_ms(o, "due");
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

void record_fired(instance_view& i, const action_state& action, bool sends, std::string why, std::int64_t at) {
  i.timeline.push_back({"fired", action.index, std::move(why), at, 0});
  if (sends && action.state == "dispatched") i.timeline.push_back({"rendered", action.index, "", at, 0});
  i.timeline.push_back({action.state, action.index, action.reason, at, 0});
}

json::object to_json(const instance_view& i) {
  json::array actions;
  for (const auto& a : i.actions) {
    json::array recipients(a.recipients.begin(), a.recipients.end());
    json::array attempts(a.attempts.begin(), a.attempts.end());
    actions.push_back(json::object{{"index", a.index},
                                   {"state", a.state},
                                   {"reason", a.reason},
                                   {"due", a.due_ms ? json::value(format_rfc3339_ms(a.due_ms)) : json::value(nullptr)},
                                   {"due_ms", a.due_ms},
                                   {"recipients", std::move(recipients)},
                                   {"attempts", std::move(attempts)}});
  }
  return json::object{{"id", i.id},
                      {"workflow", i.workflow},
                      {"workflow_version", i.workflow_version},
                      {"entity", i.entity},
                      {"entity_label", i.entity_label},
                      {"trigger_seq", i.trigger_seq},
                      {"trigger", i.trigger},
                      {"state", i.state},
                      {"reason", i.reason},
                      {"created_at", format_rfc3339_ms(i.created_at)},
                      {"updated_at", format_rfc3339_ms(i.updated_at)},
                      {"changed", json::array(i.changed.begin(), i.changed.end())},
                      {"trace", to_json(i.trace)},
                      {"fire_trace", to_json(i.fire_trace)},
                      {"actions", std::move(actions)},
                      {"timeline", to_json(i.timeline)}};
}

namespace {

using json_text::append_key;
using json_text::append_member;
using json_text::append_string_array;

void append_trace(text_sink& out, const std::vector<rule_trace>& trace) {
  json_text::append_array(out, trace, [](text_sink& o, const rule_trace& t) {
    o += '{';
    append_member(o, "rule", t.rule, true);
    append_key(o, "seen");
    json_text::append_value(o, t.seen);
    append_key(o, "held");
    o += t.held ? "true" : "false";
    o += '}';
  });
}

void append_timeline(text_sink& out, const std::vector<instance_transition>& timeline) {
  json_text::append_array(out, timeline, [](text_sink& o, const instance_transition& t) {
    o += '{';
    append_member(o, "state", t.state, true);
    if (t.action >= 0) {
      append_key(o, "action");
      json_text::append_int(o, t.action);
    }
    if (!t.reason.empty()) append_member(o, "reason", t.reason);
    if (t.due_ms) {
      append_key(o, "due");
      append_rfc3339_ms_json(o, t.due_ms);
    }
    append_key(o, "at");
    append_rfc3339_ms_json(o, t.at);
    o += '}';
  });
}

bool same_trace(const std::vector<rule_trace>& a, const std::vector<rule_trace>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const rule_trace& x, const rule_trace& y) {
           return x.held == y.held && x.rule == y.rule && x.seen == y.seen;
         });
}

void append_action(text_sink& out, const action_state& a) {
  out += '{';
  append_key(out, "index", true);
  json_text::append_int(out, a.index);
  append_member(out, "state", a.state);
  append_member(out, "reason", a.reason);
  append_key(out, "due");
  if (a.due_ms) {
    append_rfc3339_ms_json(out, a.due_ms);
  } else {
    out += "null";
  }
  append_key(out, "due_ms");
  json_text::append_int(out, a.due_ms);
  append_key(out, "recipients");
  append_string_array(out, a.recipients);
  append_key(out, "attempts");
  append_string_array(out, a.attempts);
  out += '}';
}

}  // namespace

void append_json(text_sink& out, const instance_view& i) {
  out += '{';
  append_member(out, "id", i.id, true);
  append_member(out, "workflow", i.workflow);
  append_key(out, "workflow_version");
  json_text::append_int(out, i.workflow_version);
  append_member(out, "entity", i.entity);
  append_member(out, "entity_label", i.entity_label);
  append_key(out, "trigger_seq");
  {
    char* at = out.room(20);
    out.advance_to(std::to_chars(at, at + 20, i.trigger_seq).ptr);
  }
  append_member(out, "trigger", i.trigger);
  append_member(out, "state", i.state);
  append_member(out, "reason", i.reason);
  append_key(out, "created_at");
  append_rfc3339_ms_json(out, i.created_at);
  append_key(out, "updated_at");
  append_rfc3339_ms_json(out, i.updated_at);
  append_key(out, "changed");
  append_string_array(out, i.changed);
  append_key(out, "trace");
  const std::size_t trace_at = out.size();
  append_trace(out, i.trace);
  const std::size_t trace_end = out.size();
  append_key(out, "fire_trace");
  if (same_trace(i.fire_trace, i.trace)) {
    // An action due at once fires in the step that matched it: the same
    // rules, seen the same. Its text is the one just written.
    out.append_written(trace_at, trace_end);
  } else {
    append_trace(out, i.fire_trace);
  }
  append_key(out, "actions");
  json_text::append_array(out, i.actions, append_action);
  append_key(out, "timeline");
  append_timeline(out, i.timeline);
  out += '}';
}

void append_json(std::string& out, const instance_view& i) {
  text_sink sink(out);
  append_json(sink, i);
}

result<instance_view> instance_from_json(const json::value& v) {
  if (!v.is_object()) {
    return status{errc::corruption, "stored instance is not a JSON object"};
  }
  const auto& o = v.get_object();
  instance_view i;
  i.id = str(o, "id");
  i.workflow = str(o, "workflow");
  i.workflow_version = static_cast<int>(i64(o, "workflow_version"));
  i.entity = str(o, "entity");
  i.entity_label = str(o, "entity_label");
  i.trigger_seq = static_cast<std::uint64_t>(i64(o, "trigger_seq"));
  i.trigger = str(o, "trigger");
  i.state = str(o, "state");
  i.reason = str(o, "reason");
  i.created_at = time_ms(o, "created_at");
  i.updated_at = time_ms(o, "updated_at");
  if (const json::value* c = o.if_contains("changed"); c && c->is_array()) {
    for (const auto& x : c->get_array()) if (x.is_string()) i.changed.emplace_back(x.get_string());
  }
  if (const json::value* t = o.if_contains("trace")) i.trace = trace_from_json(*t);
  if (const json::value* t = o.if_contains("fire_trace")) i.fire_trace = trace_from_json(*t);
  if (const json::value* acts = o.if_contains("actions"); acts && acts->is_array()) {
    for (const auto& a : acts->get_array()) {
      if (!a.is_object()) continue;
      const auto& ao = a.get_object();
      action_state s;
      s.index = static_cast<int>(i64(ao, "index"));
      s.state = str(ao, "state");
      s.reason = str(ao, "reason");
      s.due_ms = i64(ao, "due_ms");
      if (const json::value* r = ao.if_contains("recipients"); r && r->is_array()) {
        for (const auto& x : r->get_array()) if (x.is_string()) s.recipients.emplace_back(x.get_string());
      }
      if (const json::value* r = ao.if_contains("attempts"); r && r->is_array()) {
        for (const auto& x : r->get_array()) if (x.is_string()) s.attempts.emplace_back(x.get_string());
      }
      i.actions.push_back(std::move(s));
    }
  }
  if (const json::value* t = o.if_contains("timeline")) i.timeline = timeline_from_json(*t);
  return i;
}

}  // namespace herald::domain
