#pragma once
// Errors as values: every fallible call across a module boundary returns a
// `status` or a `result<T>`. A status carries a stable code, a message a user
// can act on, and, for input errors, the field path and the index of the item
// (event in a batch, line in a file) that was wrong.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace herald {

// Codes are stable: they appear in HTTP error bodies and CLI messages.
enum class errc : int {
  ok = 0,
  invalid_argument = 1,  // the input is malformed or breaks a rule
  parse_error = 2,       // the input is not parseable at all (bad JSON)
  not_found = 3,
  io_error = 4,          // the disk or the OS failed
  corruption = 5,        // stored data does not decode
  busy = 6,              // a resource is held elsewhere (data folder lock)
  unsupported = 7,       // a content type or feature we do not accept
  unavailable = 8,       // shutting down or overloaded; try again
  too_large = 9,
  unauthenticated = 10,  // no or wrong credentials or signature
  forbidden = 11,        // authenticated, but not allowed to do this
};

// Returns the snake_case name used in error bodies ("invalid_argument").
const char* errc_name(errc code);

class [[nodiscard]] status {
 public:
  status() = default;
  status(errc code, std::string message, std::string field = {}, long index = -1)
      : code_(code), message_(std::move(message)), field_(std::move(field)), index_(index) {}

  static status ok() { return {}; }

  bool is_ok() const { return code_ == errc::ok; }
  explicit operator bool() const { return is_ok(); }
  errc code() const { return code_; }
  const std::string& message() const { return message_; }
  // Dotted path of the offending field ("data.fields", "providers.twilio.from"),
  // empty when the error is not about one field.
  const std::string& field() const { return field_; }
  // Index of the offending item in a batch or file, -1 when not applicable.
  long index() const { return index_; }

  status with_index(long index) const { return status{code_, message_, field_, index}; }
  // Returns a copy whose field path is `prefix` + "." + field.
  status under(const std::string& prefix) const;

  // "invalid_argument: message (field 'x', index 3)".
  std::string to_string() const;

 private:
  errc code_ = errc::ok;
  std::string message_;
  std::string field_;
  long index_ = -1;
};

// Holds either a value or a non-ok status.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}
  result(status error) : v_(std::move(error)) {
    assert(!std::get<status>(v_).is_ok() && "result constructed from an ok status");
  }

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const status& error() const { return std::get<status>(v_); }

 private:
  std::variant<T, status> v_;
};

}  // namespace herald
