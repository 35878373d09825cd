#pragma once
// Writing JSON text directly, for the records the engine writes on every
// communication: building a boost::json tree only to serialize it was most
// of the cost of writing an attempt. The output is what boost::json's
// serializer writes for the same values (tested against it).

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/text_sink.hpp"

namespace boost::json {
class value;
}

namespace herald::domain::json_text {

// Each writer appends to a text_sink (text_sink.hpp); the std::string
// overloads open one for the single call, for callers writing little.

// `s` as a JSON string: quotes, backslashes and control characters escaped
// (\b \f \n \r \t, others as \u00XX); everything else, UTF-8 included, as is.
void append_string(text_sink& out, std::string_view s);
void append_string(std::string& out, std::string_view s);

// Any JSON value, as boost::json::serialize writes it. Numbers with a
// fraction are left to that serializer (its shortest round-trip form);
// everything else is written here, without the serializer's setup, which
// cost more than the few bytes a rule trace's value usually is.
void append_value(text_sink& out, const boost::json::value& v);
void append_value(std::string& out, const boost::json::value& v);

// `"name":` after a comma unless `first`. `name` is one of Herald's own
// member names (letters, digits and underscores: nothing to escape), so it
// is written as it is, not scanned as append_string scans values. Each
// writer here composes its piece in the sink's room at once (one capacity
// check), not one append per punctuation mark.
void append_key(text_sink& out, std::string_view name, bool first = false);
void append_key(std::string& out, std::string_view name, bool first = false);

inline void append_int(text_sink& out, std::int64_t n) {
  char* at = out.room(20);
  out.advance_to(std::to_chars(at, at + 20, n).ptr);
}
inline void append_int(std::string& out, std::int64_t n) {
  text_sink sink(out);
  append_int(sink, n);
}

// `[e1,e2,...]`, each element written by `write(out, element)`.
template <class Out, class List, class Write>
void append_array(Out& out, const List& list, Write write) {
  out += '[';
  bool first = true;
  for (const auto& element : list) {
    if (!first) out += ',';
    first = false;
    write(out, element);
  }
  out += ']';
}

// `["a","b"]`.
template <class Strings>
void append_string_array(text_sink& out, const Strings& list) {
  append_array(out, list, [](text_sink& o, std::string_view s) { append_string(o, s); });
}

// `"name":"value"`, after a comma unless `first`.
void append_member(text_sink& out, std::string_view name, std::string_view value, bool first = false);
void append_member(std::string& out, std::string_view name, std::string_view value, bool first = false);

}  // namespace herald::domain::json_text
