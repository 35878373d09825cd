// Workflow and template definitions as PUT /v1/workflows|templates take
// them, and rules on their own: parse, and for what parses, print back.
#include "domain/message_template.hpp"
#include "domain/rule.hpp"
#include "domain/workflow.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace herald::domain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = herald::fuzz::split_parts(data, size, 2);
  auto json = herald::fuzz::parse_json_or_null(parts[1]);
  (void)is_valid_definition_id(parts[0]);
  auto wf = parse_workflow(std::string(parts[0]), json, [](const std::string& id) { return id == "t"; });
  if (wf) {
    for (const auto& c : wf->rules) {
      (void)rule_op_name(c.leaf.op);
    }
  }
  if (json.is_object()) {
    if (const auto* rules = json.as_object().if_contains("rules")) {
      (void)parse_rules(*rules);
    }
  }
  (void)parse_template(json);
  (void)parse_recipient(parts[0]);
  return 0;
}
