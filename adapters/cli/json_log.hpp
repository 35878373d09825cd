#pragma once
// Structured logs: one JSON object a line on stderr,
//   {"ts":"2026-11-22T17:15:34.123Z","level":"info","msg":"listening",...}
// Thread-safe (one write per line). Secrets never go in: callers pass only
// fields meant to be read.

#include <initializer_list>
#include <string>
#include <utility>

namespace herald::adapters {

enum class log_level { debug = 0, info = 1, warn = 2, error = 3 };

// Returns false for an unknown name; accepted: debug, info, warn, error.
bool set_log_level(const std::string& name);

void log(log_level level, const std::string& msg,
         std::initializer_list<std::pair<const char*, std::string>> fields = {});

}  // namespace herald::adapters
