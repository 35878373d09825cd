#pragma once
// Byte-level encoding primitives shared by every codec in storage/:
//   fixed64be := 8 bytes, big-endian (sorts numerically as a key)
//   varint    := LEB128, 7 bits a byte, low groups first
//   lenstr    := len:varint bytes[len]
// Decoding goes through `reader`, which never reads past its input and
// reports truncation through ok().

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::storage {

// A key's short piece composed on the stack (a fixed64be number, a
// lenstr's length): with sorted_writes' put of parts, a key is written
// straight into the batch instead of built as a string first.
struct key_piece {
  char bytes[10];
  std::uint8_t size = 0;
  operator std::string_view() const { return {bytes, size}; }
};

inline key_piece fixed64be_piece(std::uint64_t v) {
  key_piece p;
  for (int i = 0; i < 8; ++i) p.bytes[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
  p.size = 8;
  return p;
}

inline void put_fixed64be(std::string& out, std::uint64_t v) {
  const key_piece p = fixed64be_piece(v);
  out.append(p.bytes, p.size);
}

inline std::uint64_t get_fixed64be(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  }
  return v;
}

inline std::string fixed64be(std::uint64_t v) {
  std::string s;
  put_fixed64be(s, v);
  return s;
}

// `v` as a varint at `to`, which has room for ten bytes; returns the byte
// after it. (RocksDB's varint32 and varint64 are the same encoding.)
inline char* write_varint(char* to, std::uint64_t v) {
  while (v >= 0x80) {
    *to++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *to++ = static_cast<char>(v);
  return to;
}

// How many bytes write_varint writes for `v`.
inline std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// The varint that starts the lenstr of `s`.
inline key_piece lenstr_length(std::string_view s) {
  key_piece p;
  p.size = static_cast<std::uint8_t>(write_varint(p.bytes, s.size()) - p.bytes);
  return p;
}

inline void put_varint(std::string& out, std::uint64_t v) {
  char buf[10];
  out.append(buf, static_cast<std::size_t>(write_varint(buf, v) - buf));
}

inline void put_lenstr(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s.data(), s.size());
}

class reader {
 public:
  explicit reader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint64_t fixed64() {
    if (!need(8)) return 0;
    std::uint64_t v = get_fixed64be(in_.substr(pos_, 8));
    pos_ += 8;
    return v;
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!need(1)) return 0;
      auto byte = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    ok_ = false;
    return 0;
  }
  std::string_view lenstr() {
    std::uint64_t n = varint();
    if (!ok_ || !need(n)) return {};
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  bool need(std::uint64_t n) {
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
    }
    return ok_;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace herald::storage
