#include "domain/workflow.hpp"

#include <cctype>
#include <set>

#include <boost/json.hpp>

#include "domain/business_calendar.hpp"
#include "domain/entity_path.hpp"

namespace json = boost::json;

namespace herald::domain {
namespace {

status bad(const std::string& field, std::string message) {
  return status{errc::invalid_argument, std::move(message), field};
}

bool is_module_name(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

status get_string(const json::object& o, const char* key, const std::string& path, std::string& out,
                  bool required) {
  const json::value* v = o.if_contains(key);
  if (!v) {
    return required ? bad(path + key, std::string("'") + key + "' is required") : status::ok();
  }
  if (!v->is_string()) return bad(path + key, std::string("'") + key + "' must be a string");
  out = std::string(v->get_string());
  return status::ok();
}

status get_recipients(const json::object& o, const char* key, const std::string& path,
                      std::vector<recipient_spec>& out) {
  const json::value* v = o.if_contains(key);
  if (!v) return status::ok();
  if (!v->is_array()) return bad(path + key, std::string("'") + key + "' must be an array of recipients");
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    const std::string p = path + key + "[" + std::to_string(i) + "]";
    const auto& item = v->get_array()[i];
    if (!item.is_string()) return bad(p, "a recipient must be a string");
    auto r = parse_recipient(item.get_string());
    if (!r) return bad(p, r.error().message());
    out.push_back(std::move(*r));
  }
  return status::ok();
}

result<workflow_trigger> parse_trigger(const json::value& v) {
  if (!v.is_object()) return bad("trigger", "'trigger' must be an object");
  const json::object& o = v.get_object();
  workflow_trigger t;
  if (o.contains("on")) {
    if (o.size() != 1) return bad("trigger", "an event trigger has only 'on'");
    if (auto st = get_string(o, "on", "trigger.", t.on, true); !st) return st;
    if (t.on.empty()) return bad("trigger.on", "'on' must name an event type");
    return t;
  }
  t.kind = trigger_kind::date_relative;
  for (const auto& kv : o) {
    if (kv.key() != "date" && kv.key() != "offset" && kv.key() != "at") {
      return bad("trigger." + std::string(kv.key()), "unknown trigger member '" + std::string(kv.key()) +
                                                          "' (expected on, or date, offset and at)");
    }
  }
  if (auto st = get_string(o, "date", "trigger.", t.date_field, true); !st) {
    return bad("trigger", "a trigger needs 'on' (an event type) or 'date' (a date field path)");
  }
  if (!is_valid_path(t.date_field)) return bad("trigger.date", "'date' must be a field path");
  std::string offset = "PT0S";
  if (auto st = get_string(o, "offset", "trigger.", offset, false); !st) return st;
  auto d = parse_iso_duration(offset);
  if (!d) return bad("trigger.offset", d.error().message());
  t.offset = *d;
  std::string at;
  if (auto st = get_string(o, "at", "trigger.", at, false); !st) return st;
  if (!at.empty()) {
    auto minutes = parse_time_of_day(at);
    if (!minutes) return bad("trigger.at", "'at' must be a time of day HH:MM");
    t.at_minutes = *minutes;
  }
  return t;
}

result<workflow_action> parse_action(const json::value& v, const std::string& path,
                                     const std::function<bool(const std::string&)>& template_exists) {
  if (!v.is_object()) return bad(path, "an action must be an object");
  const json::object& o = v.get_object();
  static const std::set<std::string> members = {"kind", "template", "title", "to", "cc", "bcc", "delay",
                                                "channels", "category", "type", "sender", "schedule"};
  for (const auto& kv : o) {
    if (!members.count(std::string(kv.key()))) {
      return bad(path + "." + std::string(kv.key()), "unknown action member '" + std::string(kv.key()) + "'");
    }
  }
  workflow_action a;
  const std::string p = path + ".";
  std::string kind;
  if (auto st = get_string(o, "kind", p, kind, true); !st) return st;
  if (kind == "task") {
    a.kind = action_kind::task;
  } else if (kind != "send") {
    return bad(p + "kind", "'kind' must be send or task");
  }
  if (a.kind == action_kind::send) {
    if (auto st = get_string(o, "template", p, a.template_id, true); !st) return st;
    if (!template_exists(a.template_id)) {
      return bad(p + "template", "unknown template '" + a.template_id + "'");
    }
  } else {
    if (auto st = get_string(o, "title", p, a.title, true); !st) return st;
  }
  for (auto [key, target] : {std::pair{"to", &a.to}, std::pair{"cc", &a.cc}, std::pair{"bcc", &a.bcc}}) {
    if (auto st = get_recipients(o, key, p, *target); !st) return st;
  }
  if (a.kind == action_kind::send && a.to.empty()) {
    return bad(p + "to", "a send action needs at least one recipient in 'to'");
  }
  std::string delay;
  if (auto st = get_string(o, "delay", p, delay, false); !st) return st;
  if (!delay.empty()) {
    auto d = parse_iso_duration(delay);
    if (!d) return bad(p + "delay", d.error().message());
    if (d->negative) return bad(p + "delay", "'delay' cannot be negative");
    a.delay = *d;
  }
  if (const json::value* ch = o.if_contains("channels")) {
    static const std::set<std::string> known = {"email", "sms", "post", "einvoice", "manual"};
    if (!ch->is_array()) return bad(p + "channels", "'channels' must be an array");
    for (std::size_t i = 0; i < ch->get_array().size(); ++i) {
      const auto& c = ch->get_array()[i];
      if (!c.is_string() || !known.count(std::string(c.get_string()))) {
        return bad(p + "channels[" + std::to_string(i) + "]", "must be email, sms, post, einvoice or manual");
      }
      a.channels.emplace_back(c.get_string());
    }
  }
  if (a.kind == action_kind::send && a.channels.empty()) {
    a.channels = {"email"};
  }
  for (auto [key, target] : {std::pair{"category", &a.category}, std::pair{"type", &a.type},
                             std::pair{"sender", &a.sender}}) {
    if (auto st = get_string(o, key, p, *target, false); !st) return st;
  }
  // The forms of domain/sender.hpp.
  const std::string& sender = a.sender;
  const bool sender_ok = sender.empty() || sender.find('@') != std::string::npos ||
                         (sender.rfind("role:", 0) == 0 && sender.size() > 5) ||
                         (sender.rfind("assigned:", 0) == 0 && is_valid_path(sender.substr(9))) ||
                         parse_entity_key(sender).has_value();
  if (!sender_ok) {
    return bad(p + "sender", "'sender' must be an address, Module/Id, role:NAME or assigned:PATH");
  }
  std::string schedule = "immediate";
  if (auto st = get_string(o, "schedule", p, schedule, false); !st) return st;
  if (schedule == "business_window") {
    a.schedule = send_schedule::business_window;
  } else if (schedule != "immediate") {
    return bad(p + "schedule", "'schedule' must be immediate or business_window");
  }
  return a;
}

}  // namespace

std::string recipient_spec::text() const {
  switch (type) {
    case kind::self: return "@self";
    case kind::role: return "role:" + role;
    case kind::reverse_link: return module + "<-" + path + (tail.empty() ? "" : "." + tail);
    case kind::path: return path;
  }
  return path;
}

result<recipient_spec> parse_recipient(std::string_view text) {
  recipient_spec r;
  if (text == "@self") {
    r.type = recipient_spec::kind::self;
    return r;
  }
  if (text.rfind("role:", 0) == 0) {
    r.type = recipient_spec::kind::role;
    r.role = std::string(text.substr(5));
    if (r.role.empty()) return bad("", "'role:' must name a role");
    return r;
  }
  if (auto arrow = text.find("<-"); arrow != std::string_view::npos) {
    r.type = recipient_spec::kind::reverse_link;
    r.module = std::string(text.substr(0, arrow));
    r.path = std::string(text.substr(arrow + 2));
    if (auto dot = r.path.find('.'); dot != std::string::npos) {
      r.tail = r.path.substr(dot + 1);
      r.path.resize(dot);
    }
    if (!is_module_name(r.module) || !is_valid_path(r.path) || (!r.tail.empty() && !is_valid_path(r.tail))) {
      return bad("", "'" + std::string(text) + "' is not a reverse link Module<-Link");
    }
    return r;
  }
  if (!is_valid_path(text)) {
    return bad("", "'" + std::string(text) +
                       "' is not a recipient (a link path, Module<-Link, @self or role:NAME)");
  }
  r.path = std::string(text);
  return r;
}

bool is_valid_definition_id(std::string_view id) {
  if (id.empty() || id.size() > 100) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

result<workflow> parse_workflow(const std::string& id, const json::value& v,
                                const std::function<bool(const std::string&)>& template_exists) {
  if (!v.is_object()) return bad("", "a workflow must be a JSON object");
  const json::object& o = v.get_object();
  static const std::set<std::string> members = {"id", "title", "module", "enabled", "trigger",
                                                "rules", "actions", "once_per_entity"};
  for (const auto& kv : o) {
    if (!members.count(std::string(kv.key()))) {
      return bad(std::string(kv.key()), "unknown workflow member '" + std::string(kv.key()) + "'");
    }
  }
  workflow w;
  w.id = id;
  if (const json::value* given = o.if_contains("id"); given && (!given->is_string() || given->get_string() != id)) {
    return bad("id", "'id' in the body must match the id in the URL");
  }
  if (auto st = get_string(o, "title", "", w.title, true); !st) return st;
  if (auto st = get_string(o, "module", "", w.module, true); !st) return st;
  if (!is_module_name(w.module)) return bad("module", "'module' must be a module name such as Delegate");
  for (auto [key, target] : {std::pair{"enabled", &w.enabled}, std::pair{"once_per_entity", &w.once_per_entity}}) {
    if (const json::value* b = o.if_contains(key)) {
      if (!b->is_bool()) return bad(key, std::string("'") + key + "' must be true or false");
      *target = b->get_bool();
    }
  }
  const json::value* trigger = o.if_contains("trigger");
  if (!trigger) return bad("trigger", "'trigger' is required");
  auto t = parse_trigger(*trigger);
  if (!t) return t.error();
  w.trigger = std::move(*t);
  if (const json::value* rules = o.if_contains("rules")) {
    auto r = parse_rules(*rules);
    if (!r) return r.error();
    w.rules = std::move(*r);
  }
  const json::value* actions = o.if_contains("actions");
  if (!actions || !actions->is_array() || actions->get_array().empty()) {
    return bad("actions", "'actions' must be a non-empty array");
  }
  for (std::size_t i = 0; i < actions->get_array().size(); ++i) {
    auto a = parse_action(actions->get_array()[i], "actions[" + std::to_string(i) + "]", template_exists);
    if (!a) return a.error();
    w.actions.push_back(std::move(*a));
  }
  return w;
}

bool reads_reverse_links(const workflow_action& action) {
  for (const auto* list : {&action.to, &action.cc, &action.bcc}) {
    for (const auto& spec : *list) {
      if (spec.type == recipient_spec::kind::reverse_link) return true;
    }
  }
  return false;
}

}  // namespace herald::domain
