// The template renderer: a template (JSON) rendered against merge values
// that come from the rest of the input, so both the template syntax and
// hostile field values (HTML, long text) are explored.
#include "domain/message_template.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace herald::domain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = herald::fuzz::split_parts(data, size, 2);
  auto json = herald::fuzz::parse_json_or_null(parts[0]);
  auto parsed = parse_template(json);
  if (!parsed) {
    return 0;
  }
  std::string value(parts[1]);
  (void)merge_fields(*parsed);
  auto rendered = render_template(*parsed, [&](const std::string& path) -> std::optional<std::string> {
    if (!path.empty() && path[0] == 'X') {
      return std::nullopt;  // a missing field: a render error naming it
    }
    return value;
  });
  (void)rendered;
  (void)html_escape(value);
  return 0;
}
