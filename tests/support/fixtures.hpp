#pragma once
// Access to ../shared/fixtures for tests that check compatibility with real
// payloads. When the folder is absent the caller reports itself skipped.

#include <optional>
#include <string>

#include <boost/json.hpp>

#include "tests/support/temp_dir.hpp"

namespace herald::test {

// Returns the "tests" array of a CloudEvents conformance suite file
// (e.g. "format_json_valid-events.json"), or nullopt after reporting the
// test skipped when the fixtures are absent.
inline std::optional<boost::json::array> conformance_suite(const std::string& file) {
  const auto dir = fixtures_dir();
  if (dir.empty()) {
    report_skipped("../shared/fixtures not found");
    return std::nullopt;
  }
  return boost::json::parse(read_file(dir / "cloudevents" / "conformance" / file))
      .at("tests")
      .as_array();
}

// Returns the text of a fixture file (path under ../shared/fixtures), or
// nullopt after reporting the test skipped when the fixtures are absent.
inline std::optional<std::string> fixture_text(const std::string& relative) {
  const auto dir = fixtures_dir();
  if (dir.empty()) {
    report_skipped("../shared/fixtures not found");
    return std::nullopt;
  }
  return read_file(dir / relative);
}

}  // namespace herald::test
