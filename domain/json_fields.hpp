#pragma once
// Small readers for JSON views written by Herald itself: a missing or
// mistyped member reads as the type's empty value. Input from outside goes
// through the validating parsers instead.

#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "domain/rfc3339.hpp"

namespace herald::domain::json_fields {

inline std::string str(const boost::json::object& o, const char* key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

inline std::int64_t i64(const boost::json::object& o, const char* key) {
  const boost::json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return 0;
}

// An RFC 3339 time member as ms since the epoch; 0 when missing or not a time.
inline std::int64_t time_ms(const boost::json::object& o, const char* key) {
  return parse_rfc3339_ms(str(o, key)).value_or(0);
}

inline bool boolean(const boost::json::object& o, const char* key, bool fallback = false) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_bool() ? v->get_bool() : fallback;
}

}  // namespace herald::domain::json_fields
