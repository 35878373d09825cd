#include "adapters/http/query_params.hpp"

#include "domain/rfc3339.hpp"

namespace herald::adapters {

result<std::uint64_t> uint_param(const http_request& req, const char* name, std::uint64_t fallback,
                                 std::uint64_t min, std::uint64_t max) {
  auto it = req.query.find(name);
  if (it == req.query.end()) {
    return fallback;
  }
  std::uint64_t v = 0;
  if (it->second.empty() || it->second.size() > 19) {
    return status{errc::invalid_argument, std::string("'") + name + "' must be a number", name};
  }
  for (char c : it->second) {
    if (c < '0' || c > '9') {
      return status{errc::invalid_argument, std::string("'") + name + "' must be a number", name};
    }
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v < min || v > max) {
    return status{errc::invalid_argument,
                  std::string("'") + name + "' must be between " + std::to_string(min) + " and " +
                      std::to_string(max),
                  name};
  }
  return v;
}

result<std::optional<std::int64_t>> time_param(const http_request& req, const char* name) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) {
    return std::optional<std::int64_t>{};
  }
  auto ms = domain::parse_rfc3339_ms(it->second);
  if (!ms) {
    return status{errc::invalid_argument,
                  std::string("'") + name + "' must be an RFC 3339 time, got '" + it->second + "'", name};
  }
  return std::optional<std::int64_t>{*ms};
}

std::string text_param(const http_request& req, const char* name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

}  // namespace herald::adapters
