// Workflow and template definitions as PUT /v1/workflows|templates take
// them, and rules on their own: parse, and for what parses, print back and
// check its paths against declared modules (a fixed schema, and one parsed
// from the input's third part).
#include <boost/json.hpp>

#include "domain/message_template.hpp"
#include "domain/module_schema.hpp"
#include "domain/rule.hpp"
#include "domain/workflow.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace herald::domain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = herald::fuzz::split_parts(data, size, 3);
  auto json = herald::fuzz::parse_json_or_null(parts[1]);
  (void)is_valid_definition_id(parts[0]);
  auto wf = parse_workflow(std::string(parts[0]), json, [](const std::string& id) { return id == "t"; });
  if (wf) {
    for (const auto& c : wf->rules) {
      (void)rule_op_name(c.leaf.op);
    }
    static const module_schemas fixed = *parse_module_schemas(
        boost::json::parse(R"({"Delegate":{"fields":["Status"],"links":{"User":"User","CourseDate":"CourseDate"}},
                              "User":{"fields":["FirstName"],"links":{"Manager":"User"}},
                              "CourseDate":{"fields":["Status"],"links":{"Course":"Course"}}})"),
        "modules");
    (void)check_workflow_paths(*wf, fixed);
    if (auto own = parse_module_schemas(herald::fuzz::parse_json_or_null(parts[2]), "modules")) {
      (void)check_workflow_paths(*wf, *own);
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
