#include <catch2/catch.hpp>

#include <string>

#include "domain/text_sink.hpp"

using herald::domain::text_sink;

TEST_CASE("a text sink appends what a string's own append would, and closes to it", "[domain][text_sink]") {
  for (std::size_t reserved : {0, 1, 15, 16, 100, 4096}) {
    std::string text = "head:";
    text.reserve(reserved);
    std::string expected = text;
    {
      text_sink out(text);
      CHECK(out.size() == expected.size());
      // Pieces of every size from 0 to 300 bytes, so the sink grows many
      // times from a small capacity and not at all from a large one.
      for (std::size_t n = 0; n <= 300; ++n) {
        const std::string piece(n, static_cast<char>('a' + n % 26));
        out.append(piece);
        expected += piece;
        out += static_cast<char>('0' + n % 10);
        expected += static_cast<char>('0' + n % 10);
        out += ";";
        expected += ";";
        CHECK(out.size() == expected.size());
      }
    }
    CHECK(text == expected);
    CHECK(text.size() == expected.size());
  }
}

TEST_CASE("room and advance_to write in place, append_written repeats what was written", "[domain][text_sink]") {
  std::string text;
  {
    text_sink out(text);
    char* at = out.room(10);
    for (char c : std::string("0123456789")) *at++ = c;
    out.advance_to(at - 4);  // only the first six are kept
    out += '|';
    // Copied from itself while growing: the source moves with the text.
    for (int i = 0; i < 8; ++i) out.append_written(0, out.size());
  }
  std::string expected = "012345|";
  for (int i = 0; i < 8; ++i) expected += expected;
  CHECK(text == expected);
  CHECK(text.size() == 7u * 256u);
}

TEST_CASE("a sink opened and closed without writing leaves the string as it was", "[domain][text_sink]") {
  std::string text = "unchanged";
  text.reserve(1000);
  { text_sink out(text); }
  CHECK(text == "unchanged");
  CHECK(text.size() == 9u);
}

TEST_CASE("exact_text returns what was written, however long, even from inside another", "[domain][text_sink]") {
  using herald::domain::exact_text;
  // Longer texts after shorter ones (the thread's buffer grows), shorter
  // after longer (its old bytes must not show through), and one over the
  // mebibyte the buffer is kept up to, then short ones again.
  for (std::size_t n : {0, 5, 4000, 3, 70000, 16, 1500000, 7, 5000}) {
    const std::string text = exact_text([&](text_sink& out) {
      for (std::size_t i = 0; i < n; ++i) out += static_cast<char>('a' + i % 26);
    });
    REQUIRE(text.size() == n);
    for (std::size_t i = 0; i < n; ++i) {
      if (text[i] != static_cast<char>('a' + i % 26)) FAIL("byte " << i << " of " << n);
    }
  }
  // A text written while another is being written has a buffer of its own.
  const std::string outer = exact_text([](text_sink& out) {
    out += "{\"outer\":";
    const std::string inner = exact_text([](text_sink& in) { in += std::string(5000, 'x'); });
    out += std::to_string(inner.size());
    out += ",\"more\":\"";
    out += inner.substr(0, 3);
    out += "\"}";
  });
  CHECK(outer == "{\"outer\":5000,\"more\":\"xxx\"}");
  CHECK(exact_text([](text_sink& out) { out += "again"; }) == "again");
}
