#pragma once
// Reads the configuration file of `herald serve --config FILE`.

#include <string>

#include "domain/config.hpp"

namespace herald::adapters {

// Returns the parsed config; an unreadable file is io_error, a bad one the
// parse_config() status (its field() is the path of the bad key).
result<domain::herald_config> load_config_file(const std::string& path);

// Returns the whole content of `path`, or of standard input for "-".
result<std::string> read_input(const std::string& path);

}  // namespace herald::adapters
