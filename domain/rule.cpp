#include "domain/rule.hpp"

#include <algorithm>

#include <boost/json.hpp>

namespace json = boost::json;

namespace herald::domain {
namespace {

struct op_name {
  rule_op op;
  const char* name;
};
constexpr op_name op_names[] = {
    {rule_op::eq, "eq"},           {rule_op::ne, "ne"},         {rule_op::in, "in"},
    {rule_op::not_in, "not_in"},   {rule_op::lt, "lt"},         {rule_op::le, "le"},
    {rule_op::gt, "gt"},           {rule_op::ge, "ge"},         {rule_op::exists, "exists"},
    {rule_op::missing, "missing"}, {rule_op::contains, "contains"},
    {rule_op::changed, "changed"}, {rule_op::changed_to, "changed_to"}};

bool needs_value(rule_op op) {
  return op == rule_op::eq || op == rule_op::ne || op == rule_op::lt || op == rule_op::le ||
         op == rule_op::gt || op == rule_op::ge || op == rule_op::contains || op == rule_op::changed_to;
}

result<condition> parse_condition(const json::value& v, const std::string& path) {
  auto bad = [&](const std::string& field, std::string message) {
    return status{errc::invalid_argument, std::move(message), path + field};
  };
  if (!v.is_object()) {
    return bad("", "a rule must be an object {\"field\", \"op\", \"value\"} or {\"any\": [...]}");
  }
  const json::object& o = v.get_object();
  condition c;
  if (const json::value* any = o.if_contains("any")) {
    if (o.size() != 1 || !any->is_array() || any->get_array().empty()) {
      return bad(".any", "'any' must be the only member and a non-empty array of rules");
    }
    c.is_group = true;
    for (std::size_t i = 0; i < any->get_array().size(); ++i) {
      auto member = parse_condition(any->get_array()[i], path + ".any[" + std::to_string(i) + "]");
      if (!member) return member.error();
      c.any.push_back(std::move(*member));
    }
    return c;
  }
  for (const auto& kv : o) {
    if (kv.key() != "field" && kv.key() != "op" && kv.key() != "value" && kv.key() != "values") {
      return bad("." + std::string(kv.key()), "unknown rule member '" + std::string(kv.key()) + "'");
    }
  }
  const json::value* field = o.if_contains("field");
  if (!field || !field->is_string() || !is_valid_path(field->get_string())) {
    return bad(".field", "'field' must be a path such as Status or CourseDate.Status");
  }
  c.leaf.field = std::string(field->get_string());
  const json::value* op = o.if_contains("op");
  if (!op || !op->is_string()) {
    return bad(".op", "'op' is required");
  }
  bool known = false;
  for (const auto& n : op_names) {
    if (op->get_string() == n.name) {
      c.leaf.op = n.op;
      known = true;
    }
  }
  if (!known) {
    return bad(".op", "unknown operator '" + std::string(op->get_string()) +
                          "' (expected eq ne in not_in lt le gt ge exists missing contains changed "
                          "changed_to)");
  }
  if (c.leaf.op == rule_op::in || c.leaf.op == rule_op::not_in) {
    const json::value* values = o.if_contains("values");
    if (!values || !values->is_array()) {
      return bad(".values", "'" + std::string(op->get_string()) + "' needs 'values': an array");
    }
    c.leaf.values = values->get_array();
  } else if (needs_value(c.leaf.op)) {
    const json::value* value = o.if_contains("value");
    if (!value) {
      return bad(".value", "'" + std::string(op->get_string()) + "' needs 'value'");
    }
    c.leaf.value = *value;
  }
  return c;
}

// Returns -1, 0, 1, or nullopt when the two are not ordered.
std::optional<int> compare(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.to_number<double>(), y = b.to_number<double>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    const int c = a.get_string().compare(b.get_string());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return std::nullopt;
}

bool equal(const json::value& a, const json::value& b) {
  auto c = compare(a, b);
  return c ? *c == 0 : a == b;
}

std::string describe(const rule& r) {
  std::string out = r.field + " " + rule_op_name(r.op);
  if (r.op == rule_op::in || r.op == rule_op::not_in) {
    out += " " + json::serialize(r.values);
  } else if (needs_value(r.op)) {
    out += " " + json::serialize(r.value);
  }
  return out;
}

bool evaluate_rule(const rule& r, const rule_context& ctx, std::vector<rule_trace>& trace) {
  const path_value pv = resolve_path(*ctx.key, *ctx.record, r.field, ctx.lookup);
  const bool changed = ctx.changed && std::binary_search(ctx.changed->begin(), ctx.changed->end(), r.field);
  bool held = false;
  switch (r.op) {
    case rule_op::eq: held = pv.found && equal(pv.value, r.value); break;
    case rule_op::ne: held = !pv.found || !equal(pv.value, r.value); break;
    case rule_op::in:
    case rule_op::not_in: {
      const bool member = pv.found && std::any_of(r.values.begin(), r.values.end(), [&](const json::value& v) {
                            return equal(pv.value, v);
                          });
      held = r.op == rule_op::in ? member : !member;
      break;
    }
    case rule_op::lt:
    case rule_op::le:
    case rule_op::gt:
    case rule_op::ge: {
      auto c = pv.found ? compare(pv.value, r.value) : std::nullopt;
      held = c && ((r.op == rule_op::lt && *c < 0) || (r.op == rule_op::le && *c <= 0) ||
                   (r.op == rule_op::gt && *c > 0) || (r.op == rule_op::ge && *c >= 0));
      break;
    }
    case rule_op::exists: held = pv.found; break;
    case rule_op::missing: held = !pv.found; break;
    case rule_op::contains:
      if (pv.found && pv.value.is_string() && r.value.is_string()) {
        held = pv.value.get_string().find(r.value.get_string()) != json::string::npos;
      } else if (pv.found && pv.value.is_array()) {
        const auto& arr = pv.value.get_array();
        held = std::any_of(arr.begin(), arr.end(), [&](const json::value& v) { return equal(v, r.value); });
      }
      break;
    case rule_op::changed: held = changed; break;
    case rule_op::changed_to: held = changed && pv.found && equal(pv.value, r.value); break;
  }
  trace.push_back(rule_trace{describe(r), pv.found ? pv.value : json::value(nullptr), held});
  return held;
}

bool evaluate_condition(const condition& c, const rule_context& ctx, std::vector<rule_trace>& trace) {
  if (!c.is_group) {
    return evaluate_rule(c.leaf, ctx, trace);
  }
  for (const auto& member : c.any) {
    if (evaluate_condition(member, ctx, trace)) {
      return true;
    }
  }
  return false;
}

}  // namespace

const char* rule_op_name(rule_op op) {
  for (const auto& n : op_names) {
    if (n.op == op) return n.name;
  }
  return "?";
}

result<std::vector<condition>> parse_rules(const json::value& rules) {
  if (!rules.is_array()) {
    return status{errc::invalid_argument, "'rules' must be an array", "rules"};
  }
  std::vector<condition> out;
  for (std::size_t i = 0; i < rules.get_array().size(); ++i) {
    auto c = parse_condition(rules.get_array()[i], "rules[" + std::to_string(i) + "]");
    if (!c) return c.error();
    out.push_back(std::move(*c));
  }
  return out;
}

bool evaluate_rules(const std::vector<condition>& conditions, const rule_context& context,
                    std::vector<rule_trace>& trace) {
  bool all = true;
  // Every top-level rule is evaluated (no short cut) so the trace explains all of them.
  for (const auto& c : conditions) {
    all = evaluate_condition(c, context, trace) && all;
  }
  return all;
}

}  // namespace herald::domain
