#include "adapters/http/static_files.hpp"

#include <fstream>
#include <sstream>

namespace herald::adapters {
namespace {

bool plain_name(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

const char* content_type(const std::string& name) {
  auto ends = [&](const char* ext) {
    const std::string e(ext);
    return name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace

std::optional<http_response> static_file(const std::string& folder, const std::string& path) {
  if (folder.empty() || path.empty() || path[0] != '/' || path.rfind("/v1/", 0) == 0) return std::nullopt;
  const std::string name = path == "/" ? "index.html" : path.substr(1);
  if (!plain_name(name)) return std::nullopt;
  std::ifstream in(folder + "/" + name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  http_response r;
  r.content_type = content_type(name);
  r.body = body.str();
  // The page shows data from the API only; nothing else may run or load.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                         "frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

}  // namespace herald::adapters
