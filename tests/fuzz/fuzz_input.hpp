#pragma once
// Splits one fuzz input into parts at NUL bytes, so a target that takes
// several strings (a body and a signature header, say) gets them all from
// one input that libFuzzer can mutate.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace herald::fuzz {

inline std::vector<std::string_view> split_parts(const std::uint8_t* data, std::size_t size, std::size_t want) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < want) {
    auto nul = all.find('\0');
    if (nul == std::string_view::npos) {
      break;
    }
    parts.push_back(all.substr(0, nul));
    all.remove_prefix(nul + 1);
  }
  parts.push_back(all);
  parts.resize(want);
  return parts;
}

// JSON text as the API would parse it; nullopt-like null when it isn't JSON.
inline boost::json::value parse_json_or_null(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value() : v;
}

}  // namespace herald::fuzz
