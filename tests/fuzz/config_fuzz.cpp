// herald.json as `herald serve --config` reads it, and the start-up checks
// on what parses.
#include "domain/config.hpp"
#include "domain/preferences.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace herald::domain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = parse_config(text);
  if (config) {
    (void)check_startup(*config);
  }
  (void)parse_listen(text);
  (void)parse_sync_policy(text);
  (void)parse_preferences(herald::fuzz::parse_json_or_null(text));
  return 0;
}
