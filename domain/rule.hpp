#pragma once
// Workflow rules (SPEC §4): all top-level conditions must hold; an
// {"any": [...]} group holds when one of its members does (members may be
// groups again). A rule is {"field": PATH, "op": OP, "value": V} or, for
// in/not_in, {"values": [...]}:
//   eq ne in not_in lt le gt ge exists missing contains changed changed_to
// Comparisons: numbers numerically, strings by text (ISO dates order
// correctly), anything else is not ordered (the rule fails). `changed` and
// `changed_to` look at the fields the triggering event changed on the
// entity itself. Evaluation records a trace entry for every rule: what was
// asked, what value was seen, whether it held.

#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "domain/entity_path.hpp"
#include "domain/status.hpp"

namespace herald::domain {

enum class rule_op { eq, ne, in, not_in, lt, le, gt, ge, exists, missing, contains, changed, changed_to };

struct rule {
  std::string field;
  rule_op op = rule_op::eq;
  boost::json::value value;    // eq ne lt le gt ge contains changed_to
  boost::json::array values;   // in not_in
};

struct condition {
  bool is_group = false;  // an "any" group
  rule leaf;
  std::vector<condition> any;
};

// Parses the "rules" array. Errors name the path: "rules[1].op".
result<std::vector<condition>> parse_rules(const boost::json::value& rules);

const char* rule_op_name(rule_op op);

struct rule_trace {
  std::string rule;           // "Status in [\"Booked\"]"
  boost::json::value seen;    // the value found, null when missing
  bool held = false;
};

struct rule_context {
  const entity_key* key = nullptr;
  const entity_record* record = nullptr;
  const std::vector<std::string>* changed = nullptr;  // sorted changed field names
  entity_lookup lookup;
};

// Returns whether every condition holds; appends one trace entry per rule
// evaluated (groups stop at the first member that holds).
bool evaluate_rules(const std::vector<condition>& conditions, const rule_context& context,
                    std::vector<rule_trace>& trace);

}  // namespace herald::domain
