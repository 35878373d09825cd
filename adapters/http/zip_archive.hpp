#pragma once
// An in-memory ZIP archive made with libzip, for GET /v1/download.

#include <string>
#include <utility>
#include <vector>

#include "domain/status.hpp"

namespace herald::adapters {

// Returns the bytes of a ZIP holding `files` (path inside the archive, bytes).
result<std::string> make_zip(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace herald::adapters
