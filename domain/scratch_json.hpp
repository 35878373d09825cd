#pragma once
// A JSON document parsed only to be read and copied out of: its nodes live
// in a buffer of its own instead of one heap allocation each (most of a
// parse's cost on the engine's hot paths). Copy ASSIGNMENT of a part into a
// value or object of your own is safe (it copies into the target's memory);
// a copy CONSTRUCTED from a part shares this buffer (Boost.JSON keeps the
// source's memory resource) and must not outlive the document.

#include <string_view>

#include <boost/json.hpp>

namespace herald::domain {

class scratch_json {
 public:
  explicit scratch_json(std::string_view text) : value_(boost::json::parse(text, error_, &arena_)) {}
  scratch_json(const scratch_json&) = delete;
  scratch_json& operator=(const scratch_json&) = delete;

  bool ok() const { return !error_; }
  const boost::json::value& value() const { return value_; }

 private:
  unsigned char buffer_[8192];
  boost::json::monotonic_resource arena_{buffer_, sizeof buffer_};
  boost::json::error_code error_;
  boost::json::value value_;
};

}  // namespace herald::domain
