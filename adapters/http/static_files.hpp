#pragma once
// The web page's files (web/), served by Herald itself at `/`. Only plain
// file names directly in the folder are served ("/", "/app.js",
// "/style.css"): no path can leave the folder.

#include <optional>
#include <string>

#include "adapters/http/http_message.hpp"

namespace herald::adapters {

// Returns the response for `path` from `folder`, nullopt when `path` is not
// a page file (the API handles it then).
std::optional<http_response> static_file(const std::string& folder, const std::string& path);

}  // namespace herald::adapters
