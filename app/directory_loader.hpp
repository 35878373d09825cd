#pragma once
// `herald serve --load DIR`: loads a directory of definitions and events at
// start-up through the same API handler clients use, so every rule that
// applies to a PUT or a POST applies here:
//   DIR/templates/NAME.json   PUT /v1/templates/NAME  (skipped when unchanged)
//   DIR/workflows/NAME.json   PUT /v1/workflows/NAME  (skipped when unchanged)
//   DIR/data/*.ndjson         POST /v1/events, in file-name order (events
//                             already ingested are duplicates)

#include <string>

#include "adapters/http/api.hpp"
#include "domain/status.hpp"

namespace herald::app {

struct load_report {
  int definitions_changed = 0;
  int definitions_unchanged = 0;
  std::uint64_t events_accepted = 0;
  std::uint64_t events_duplicate = 0;
};

// Returns what was loaded, or the first failure with the file named.
result<load_report> load_directory(const std::string& dir, const adapters::api& api);

}  // namespace herald::app
