#include "adapters/http/http_message.hpp"

#include "domain/percent_encoding.hpp"

namespace herald::adapters {

std::optional<std::string> http_request::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) {
      return v;
    }
  }
  return std::nullopt;
}

std::string percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  if (!domain::percent_decode_into(in, plus_is_space, out)) {
    return std::string(in);
  }
  return out;
}

bool parse_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query) {
  auto qpos = target.find('?');
  if (!domain::percent_decode_into(target.substr(0, qpos), false, path)) {
    return false;
  }
  if (qpos == std::string_view::npos) {
    return true;
  }
  auto pairs = domain::form_decode(target.substr(qpos + 1));
  if (!pairs) {
    return false;
  }
  for (auto& [key, value] : *pairs) query[key] = std::move(value);
  return true;
}

}  // namespace herald::adapters
