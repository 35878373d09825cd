#pragma once
// Appending many short pieces to a std::string without a call into
// libstdc++ for each: std::string::append is compiled into the shared
// library (a call, a capacity check and a libc copy per piece), and the
// records the engine writes are made of ≈ 130 pieces a communication.
//
// While a sink is open on a string, the string is sized to its capacity
// and the sink keeps the length written so far: a piece is a compare and a
// copy the compiler inlines. Closing the sink (its destructor) cuts the
// string back to what was written. Nothing else may use the string while
// a sink is open on it.

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace herald::domain {

class text_sink {
 public:
  explicit text_sink(std::string& text) : text_(text), used_(text.size()) { text_.resize(text_.capacity()); }
  ~text_sink() { text_.resize(used_); }
  text_sink(const text_sink&) = delete;
  text_sink& operator=(const text_sink&) = delete;

  std::size_t size() const { return used_; }

  // Room for `n` more bytes at the end: write them there, then advance_to
  // the end of what was written (at most n bytes).
  char* room(std::size_t n) {
    if (text_.size() - used_ < n) grow(n);
    return &text_[used_];
  }
  void advance_to(const char* end) { used_ = static_cast<std::size_t>(end - text_.data()); }

  void append(const char* bytes, std::size_t n) {
    std::memcpy(room(n), bytes, n);
    used_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  // Bytes [from, to) of what this sink has written, again at its end.
  void append_written(std::size_t from, std::size_t to) {
    room(to - from);  // first: growing may move the text
    std::memcpy(&text_[used_], &text_[from], to - from);
    used_ += to - from;
  }
  text_sink& operator+=(char c) {
    *room(1) = c;
    ++used_;
    return *this;
  }
  text_sink& operator+=(std::string_view s) {
    append(s);
    return *this;
  }
  text_sink& operator+=(const char* s) { return *this += std::string_view(s); }

 private:
  void grow(std::size_t n) {
    const std::size_t need = used_ + n;
    text_.resize(need > 2 * text_.size() ? need : 2 * text_.size());
    text_.resize(text_.capacity());
  }

  std::string& text_;
  std::size_t used_;
};

}  // namespace herald::domain
