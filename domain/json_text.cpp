#include "domain/json_text.hpp"

#include <cstdint>
#include <cstring>

#include <boost/json.hpp>

namespace herald::domain::json_text {
namespace {

// Whether any of the eight bytes of `w` is one a JSON string escapes: below
// 0x20, '"' or '\\'. Each test is exact for the word as a whole (bit-twiddling
// "has a zero byte" / "has a byte less than n"), so a word without one is
// skipped at once; records are mostly such words.
bool has_byte_to_escape(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  auto has_zero_byte = [](std::uint64_t v) { return ((v - ones) & ~v & highs) != 0; };
  const bool below_space = ((w - ones * 0x20) & ~w & highs) != 0;
  return below_space || has_zero_byte(w ^ (ones * '"')) || has_zero_byte(w ^ (ones * '\\'));
}

// Whether `s` holds a byte to escape, eight bytes at a time: the bytes past
// the last whole word are read as the word ending with them (a string
// shorter than a word, padded with 'a'), so no byte is tested on its own.
bool has_any_to_escape(std::string_view s) {
  constexpr std::uint64_t letters = 0x0101010101010101ull * 'a';
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t word = letters;
  if (n < sizeof word) {
    if (n > 0) std::memcpy(&word, p, n);
    return has_byte_to_escape(word);
  }
  std::size_t i = 0;
  for (; i + sizeof word <= n; i += sizeof word) {
    std::memcpy(&word, p + i, sizeof word);
    if (has_byte_to_escape(word)) return true;
  }
  if (i == n) return false;
  std::memcpy(&word, p + n - sizeof word, sizeof word);
  return has_byte_to_escape(word);
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
  out += '"';
  // Most strings (ids, names, times, statuses) have nothing to escape.
  if (!has_any_to_escape(s)) {
    out.append(s.data(), s.size());
    out += '"';
    return;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t plain = 0;  // start of the run not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xf];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

void append_value(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out.append("null", 4); return;
    case boost::json::kind::bool_: v.get_bool() ? out.append("true", 4) : out.append("false", 5); return;
    case boost::json::kind::int64: append_int(out, v.get_int64()); return;
    case boost::json::kind::uint64: {
      char digits[20];
      const auto end = std::to_chars(digits, digits + sizeof digits, v.get_uint64()).ptr;
      out.append(digits, static_cast<std::size_t>(end - digits));
      return;
    }
    case boost::json::kind::double_: out += boost::json::serialize(v); return;
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      append_string(out, std::string_view(s.data(), s.size()));
      return;
    }
    case boost::json::kind::array:
      append_array(out, v.get_array(), [](std::string& o, const boost::json::value& e) { append_value(o, e); });
      return;
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : v.get_object()) {
        if (!first) out += ',';
        first = false;
        append_string(out, std::string_view(member.key().data(), member.key().size()));
        out += ':';
        append_value(out, member.value());
      }
      out += '}';
      return;
    }
  }
}

}  // namespace herald::domain::json_text
