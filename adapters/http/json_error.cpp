#include "adapters/http/json_error.hpp"

#include <boost/json.hpp>

namespace herald::adapters {

std::string error_body(const status& st) {
  boost::json::object err;
  err["code"] = errc_name(st.code());
  err["message"] = st.message();
  if (st.index() >= 0) {
    err["index"] = st.index();
  }
  if (!st.field().empty()) {
    err["field"] = st.field();
  }
  boost::json::object root;
  root["error"] = std::move(err);
  return boost::json::serialize(root);
}

http_response json_response(int http_status, const boost::json::value& body) {
  http_response r;
  r.status = http_status;
  r.body = boost::json::serialize(body);
  return r;
}

http_response error_response(int http_status, const status& st) {
  http_response r;
  r.status = http_status;
  r.body = error_body(st);
  if (http_status == 503) {
    r.headers.emplace_back("Retry-After", "1");
  }
  return r;
}

int http_status_for(errc code) {
  switch (code) {
    case errc::invalid_argument:
    case errc::parse_error: return 400;
    case errc::not_found: return 404;
    case errc::too_large: return 413;
    case errc::unsupported: return 415;
    case errc::busy: return 409;
    case errc::unavailable: return 503;
    case errc::unauthenticated: return 401;
    case errc::forbidden: return 403;
    default: return 500;
  }
}

}  // namespace herald::adapters
