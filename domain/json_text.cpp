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
    // Fixed-size loads the compiler inlines (a copy of a variable length
    // was a call into libc, 21 times a communication): 4–7 bytes as two
    // overlapping halves, fewer one by one.
    if (n >= 4) {
      std::uint32_t head, tail;
      std::memcpy(&head, p, 4);
      std::memcpy(&tail, p + n - 4, 4);
      word = (static_cast<std::uint64_t>(head) << 32) | tail;
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        word = (word << 8) | static_cast<unsigned char>(p[i]);
      }
    }
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

// Copies `s` to `at` and returns its end. Up to sixteen bytes (most names
// and values) as two overlapping fixed-size moves the compiler inlines: a
// copy of a variable length is a call into libc, two per member.
char* copy_bytes(char* at, std::string_view s) {
  const char* from = s.data();
  const std::size_t n = s.size();
  if (n >= 8 && n <= 16) {
    std::uint64_t head, tail;
    std::memcpy(&head, from, 8);
    std::memcpy(&tail, from + n - 8, 8);
    std::memcpy(at, &head, 8);
    std::memcpy(at + n - 8, &tail, 8);
  } else if (n >= 4 && n < 8) {
    std::uint32_t head, tail;
    std::memcpy(&head, from, 4);
    std::memcpy(&tail, from + n - 4, 4);
    std::memcpy(at, &head, 4);
    std::memcpy(at + n - 4, &tail, 4);
  } else if (n < 4) {
    for (std::size_t i = 0; i < n; ++i) at[i] = from[i];
  } else {
    std::memcpy(at, from, n);
  }
  return at + n;
}

// Writes `,"name":` (no comma when `first`) at `at`; returns its end.
char* compose_key(char* at, std::string_view name, bool first) {
  if (!first) *at++ = ',';
  *at++ = '"';
  at = copy_bytes(at, name);
  *at++ = '"';
  *at++ = ':';
  return at;
}

// Writes `"s"` at `at`; `s` has nothing to escape. Returns its end.
char* compose_plain_string(char* at, std::string_view s) {
  *at++ = '"';
  at = copy_bytes(at, s);
  *at++ = '"';
  return at;
}

void append_escaped(text_sink& out, std::string_view s) {
  out += '"';
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

}  // namespace

void append_string(text_sink& out, std::string_view s) {
  // Most strings (ids, names, times, statuses) have nothing to escape.
  if (has_any_to_escape(s)) {
    append_escaped(out, s);
  } else {
    out.advance_to(compose_plain_string(out.room(s.size() + 2), s));
  }
}

void append_key(text_sink& out, std::string_view name, bool first) {
  out.advance_to(compose_key(out.room(name.size() + 4), name, first));
}

void append_member(text_sink& out, std::string_view name, std::string_view value, bool first) {
  if (!has_any_to_escape(value)) {
    out.advance_to(compose_plain_string(compose_key(out.room(name.size() + value.size() + 6), name, first), value));
    return;
  }
  append_key(out, name, first);
  append_escaped(out, value);
}

void append_string(std::string& out, std::string_view s) {
  text_sink sink(out);
  append_string(sink, s);
}

void append_key(std::string& out, std::string_view name, bool first) {
  text_sink sink(out);
  append_key(sink, name, first);
}

void append_member(std::string& out, std::string_view name, std::string_view value, bool first) {
  text_sink sink(out);
  append_member(sink, name, value, first);
}

void append_value(std::string& out, const boost::json::value& v) {
  text_sink sink(out);
  append_value(sink, v);
}

void append_value(text_sink& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out.append("null", 4); return;
    case boost::json::kind::bool_: v.get_bool() ? out.append("true", 4) : out.append("false", 5); return;
    case boost::json::kind::int64: append_int(out, v.get_int64()); return;
    case boost::json::kind::uint64: {
      char* at = out.room(20);
      out.advance_to(std::to_chars(at, at + 20, v.get_uint64()).ptr);
      return;
    }
    case boost::json::kind::double_: out.append(boost::json::serialize(v)); return;
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      append_string(out, std::string_view(s.data(), s.size()));
      return;
    }
    case boost::json::kind::array:
      append_array(out, v.get_array(), [](text_sink& o, const boost::json::value& e) { append_value(o, e); });
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
