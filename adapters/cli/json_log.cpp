#include "adapters/cli/json_log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>

#include <boost/json.hpp>

#include "domain/rfc3339.hpp"

namespace herald::adapters {
namespace {
std::atomic<int> min_level{static_cast<int>(log_level::info)};
const char* const level_names[] = {"debug", "info", "warn", "error"};
}  // namespace

bool set_log_level(const std::string& name) {
  for (int i = 0; i < 4; ++i) {
    if (name == level_names[i]) {
      min_level = i;
      return true;
    }
  }
  return false;
}

void log(log_level level, const std::string& msg,
         std::initializer_list<std::pair<const char*, std::string>> fields) {
  if (static_cast<int>(level) < min_level.load()) {
    return;
  }
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  boost::json::object o;
  o["ts"] = domain::format_rfc3339_ms(now);
  o["level"] = level_names[static_cast<int>(level)];
  o["msg"] = msg;
  for (const auto& [k, v] : fields) {
    o[k] = v;
  }
  std::string line = boost::json::serialize(o);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace herald::adapters
