#include "adapters/http/access_policy.hpp"

namespace herald::adapters {
namespace {

bool starts(const std::string& path, const char* prefix) { return path.rfind(prefix, 0) == 0; }

int rank(const std::string& role) {
  if (role == "viewer") return 1;
  if (role == "operator") return 2;
  if (role == "admin") return 3;
  return 0;
}

}  // namespace

std::string required_role(const std::string& method, const std::string& path) {
  if (path == "/v1/events" || starts(path, "/v1/webhooks/")) return "ingest";
  if (starts(path, "/v1/admin/")) return "admin";
  if (method == "GET" || method == "HEAD") return "viewer";
  if (starts(path, "/v1/workflows") || starts(path, "/v1/templates") || starts(path, "/v1/lists")) return "admin";
  return "operator";
}

bool role_allows(const std::string& role, const std::string& required) {
  if (required == "ingest") return role == "ingest" || role == "admin";
  return rank(role) >= rank(required) && rank(required) > 0;
}

}  // namespace herald::adapters
