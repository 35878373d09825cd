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
// a sink is open on it. exact_text (below) writes in a buffer the thread
// reuses instead, for texts whose size is not known beforehand.

#include <cstddef>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

namespace herald::domain {

class text_sink {
 public:
  explicit text_sink(std::string& text) : text_(text), used_(text.size()) { text_.resize(text_.capacity()); }
  ~text_sink() {
    if (!reused_) text_.resize(used_);
  }
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

  struct reuse_tag {};
  // Writes `buffer` from its start and leaves it sized to its capacity when
  // closed: for a buffer reused from text to text (exact_text), whose bytes
  // are then zero-filled only when it grows. The text is [0, size()).
  text_sink(std::string& buffer, reuse_tag) : text_(buffer), used_(0), reused_(true) {
    if (text_.size() < text_.capacity()) text_.resize(text_.capacity());
  }
  template <class Write>
  friend std::string exact_text(Write&& write);

  std::string& text_;
  std::size_t used_;
  bool reused_ = false;
};

// Returns the text `write(text_sink&)` writes, as a string of exactly its
// length. It is written in a buffer this thread keeps (one per nesting
// level), so no guess of its size is reserved and zero-filled per text,
// and the string that leaves holds no spare capacity: for the records the
// engine hands to the store, which live until the store's sequencer frees
// them on its own thread.
template <class Write>
std::string exact_text(Write&& write) {
  struct scratch {
    std::deque<std::string> buffers;  // a deque: growing it moves no buffer in use
    std::size_t depth = 0;
  };
  thread_local scratch texts;
  if (texts.depth == texts.buffers.size()) texts.buffers.emplace_back();
  std::string& buffer = texts.buffers[texts.depth];
  struct level {
    std::size_t& depth;
    explicit level(std::size_t& d) : depth(d) { ++depth; }
    ~level() { --depth; }
  } nested(texts.depth);
  std::size_t length = 0;
  {
    text_sink out(buffer, text_sink::reuse_tag{});
    std::forward<Write>(write)(out);
    length = out.size();
  }
  std::string text(buffer.data(), length);
  // A rare large text (a snapshot with attachments) is not kept for good.
  constexpr std::size_t kept_up_to = 1u << 20;
  if (buffer.capacity() > kept_up_to) std::string().swap(buffer);
  return text;
}

}  // namespace herald::domain
