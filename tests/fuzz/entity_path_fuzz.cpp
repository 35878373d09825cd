// Paths and rules evaluated over an entity graph that the input builds:
// an entity record (JSON, SPEC §3) whose links point at itself, a path, and
// rules; plus ISO-8601 durations, which definitions carry.
#include "domain/entity_path.hpp"
#include "domain/iso_duration.hpp"
#include "domain/rule.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace herald::domain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = herald::fuzz::split_parts(data, size, 3);
  (void)parse_iso_duration(parts[1]);
  auto record = parse_entity_record(herald::fuzz::parse_json_or_null(parts[0]));
  if (!record) {
    return 0;
  }
  entity_key key{"training", "Course-1"};
  entity_lookup lookup = [&](const std::string&) -> const entity_record* { return &*record; };
  if (is_valid_path(parts[1])) {
    (void)split_path(parts[1]);
    (void)resolve_path(key, *record, parts[1], lookup);
  }
  auto rules = parse_rules(herald::fuzz::parse_json_or_null(parts[2]));
  if (rules) {
    std::vector<std::string> changed = changed_fields(nullptr, *record);
    rule_context context{&key, &*record, &changed, lookup};
    std::vector<rule_trace> trace;
    (void)evaluate_rules(*rules, context, trace);
  }
  return 0;
}
