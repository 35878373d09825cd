#include "adapters/providers/curl_io.hpp"

#include <algorithm>
#include <cctype>

namespace herald::adapters {

std::size_t curl_append_body(char* data, std::size_t size, std::size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

std::size_t curl_collect_header(char* data, std::size_t size, std::size_t count, void* headers) {
  auto* list = static_cast<header_list*>(headers);
  const std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t\r\n");
    list->emplace_back(std::move(name), first == std::string::npos ? "" : value.substr(first, last - first + 1));
  } else if (line.rfind("HTTP/", 0) == 0) {
    list->clear();
  }
  return size * count;
}

std::string find_header(const header_list& headers, const std::string& lower_name) {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

}  // namespace herald::adapters
