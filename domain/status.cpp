#include "domain/status.hpp"

namespace herald {

const char* errc_name(errc code) {
  switch (code) {
    case errc::ok: return "ok";
    case errc::invalid_argument: return "invalid_argument";
    case errc::parse_error: return "parse_error";
    case errc::not_found: return "not_found";
    case errc::io_error: return "io_error";
    case errc::corruption: return "corruption";
    case errc::busy: return "busy";
    case errc::unsupported: return "unsupported";
    case errc::unavailable: return "unavailable";
    case errc::too_large: return "too_large";
    case errc::unauthenticated: return "unauthenticated";
    case errc::forbidden: return "forbidden";
  }
  return "unknown";
}

status status::under(const std::string& prefix) const {
  std::string path = field_.empty() ? prefix : prefix + "." + field_;
  return status{code_, message_, std::move(path), index_};
}

std::string status::to_string() const {
  std::string out = errc_name(code_);
  out += ": ";
  out += message_;
  if (!field_.empty() || index_ >= 0) {
    out += " (";
    if (!field_.empty()) {
      out += "field '" + field_ + "'";
    }
    if (index_ >= 0) {
      out += field_.empty() ? "" : ", ";
      out += "index " + std::to_string(index_);
    }
    out += ")";
  }
  return out;
}

}  // namespace herald
