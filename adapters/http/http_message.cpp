#include "adapters/http/http_message.hpp"

namespace herald::adapters {
namespace {
int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode_into(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return false;
      }
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return false;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}
}  // namespace

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
  if (!decode_into(in, plus_is_space, out)) {
    return std::string(in);
  }
  return out;
}

bool parse_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query) {
  auto qpos = target.find('?');
  if (!decode_into(target.substr(0, qpos), false, path)) {
    return false;
  }
  if (qpos == std::string_view::npos) {
    return true;
  }
  std::string_view rest = target.substr(qpos + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    auto eq = pair.find('=');
    std::string key, value;
    if (!decode_into(pair.substr(0, eq), true, key) ||
        !decode_into(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true,
                     value)) {
      return false;
    }
    query[key] = value;
  }
  return true;
}

}  // namespace herald::adapters
