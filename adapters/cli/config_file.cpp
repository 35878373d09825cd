#include "adapters/cli/config_file.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace herald::adapters {

result<std::string> read_input(const std::string& path) {
  if (path == "-") {
    std::ostringstream buf;
    buf << std::cin.rdbuf();
    return buf.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return status{errc::io_error, "cannot read '" + path + "'"};
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

result<domain::herald_config> load_config_file(const std::string& path) {
  auto text = read_input(path);
  if (!text) {
    return text.error();
  }
  auto cfg = domain::parse_config(*text);
  if (!cfg) {
    const status& e = cfg.error();
    return status{e.code(), "config '" + path + "': " + e.message(), e.field()};
  }
  return cfg;
}

}  // namespace herald::adapters
