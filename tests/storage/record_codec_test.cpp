#include <catch2/catch.hpp>

#include "storage/key_layout.hpp"
#include "storage/record_codec.hpp"
#include "tests/support/events.hpp"

using namespace herald::storage;
using herald::test::make_event;

TEST_CASE("log records round-trip with every optional attribute combination", "[storage][codec]") {
  for (int mask = 0; mask < 128; ++mask) {
    stored_event e;
    e.seq = 42;
    e.recorded_at_ms = 1795000000123;
    e.event = make_event("id-" + std::to_string(mask));
    if (mask & 1) e.event.subject = "Delegate/d-1";
    if (mask & 2) e.event.time = "2026-11-01T10:00:00Z";
    if (mask & 4) e.event.datacontenttype = "application/json";
    if (mask & 8) e.event.dataschema = "https://example.com/schema";
    if (mask & 16) e.event.extensions_json = R"({"ext":1})";
    e.event.unique_id = (mask & 64) != 0;
    if (mask & 32) {
      e.event.data_kind = herald::domain::data_form::base64;
      e.event.data = "AAFoaQ==";
    } else if (mask & 1) {
      e.event.data_kind = herald::domain::data_form::json;
      e.event.data = R"({"label":"x"})";
    }
    std::string bytes;
    encode_record(e, bytes);
    auto back = decode_record(42, bytes);
    REQUIRE(back);
    CHECK(back->seq == 42);
    CHECK(back->recorded_at_ms == e.recorded_at_ms);
    CHECK(back->event == e.event);
  }
}

TEST_CASE("a record is appended whole and exactly, after what the text held", "[storage][codec]") {
  // The encoder sizes the record first and writes into that room: the
  // result must be the fields and nothing more, after the text's own
  // bytes, whatever the lengths (one- and two-byte length prefixes).
  for (std::size_t data_size : {0, 1, 127, 128, 300, 20000}) {
    stored_event e;
    e.recorded_at_ms = 1795000000123;  // a six-byte varint
    e.event = make_event(std::string(data_size % 200, 'i'));
    e.event.subject = std::string(data_size % 131, 's');
    e.event.data_kind = herald::domain::data_form::json;
    e.event.data = std::string(data_size, 'd');
    std::string bytes = "held";
    encode_record(e, bytes);
    auto lenstr_size = [](std::size_t n) { return (n < 128 ? 1 : n < 16384 ? 2 : 3) + n; };
    const std::size_t expected = 2 + 6 + 1 + lenstr_size(e.event.id.size()) + lenstr_size(e.event.source.size()) +
                                 lenstr_size(e.event.type.size()) + lenstr_size(e.event.subject->size()) + 1 +
                                 lenstr_size(data_size);
    CHECK(bytes.size() == 4 + expected);
    CHECK(bytes.compare(0, 4, "held") == 0);
    auto back = decode_record(7, std::string_view(bytes).substr(4));
    REQUIRE(back);
    CHECK(back->event == e.event);
  }
}

TEST_CASE("a record written in place fills exactly its computed size with the bytes encode_record appends",
          "[storage][codec]") {
  // The sequencer writes records straight into its batch, in room of
  // encoded_record_size bytes: a byte more or less would shift every
  // write after it in the batch.
  for (std::size_t data_size : {0, 1, 127, 128, 300, 16383, 16384, 20000}) {
    for (int mask = 0; mask < 32; ++mask) {
      stored_event e;
      e.kind = (mask & 1) ? herald::domain::event_kind::engine_event : herald::domain::event_kind::cloud_event;
      e.recorded_at_ms = (mask & 2) ? 5 : 1795000000123;  // a one- and a six-byte varint
      e.event = make_event(std::string(1 + data_size % 150, 'i'));
      if (mask & 4) e.event.subject = std::string(data_size % 131, 's');
      if (mask & 8) e.event.extensions_json = R"({"ext":1})";
      if (mask & 16) {
        e.event.data_kind = herald::domain::data_form::json;
        e.event.data = std::string(data_size, 'd');
      }
      std::string appended;
      encode_record(e, appended);
      const std::size_t size = encoded_record_size(e.event, e.recorded_at_ms);
      CHECK(size == appended.size());
      std::string room(size + 8, '#');  // guard bytes after the room
      const char* end = encode_record_to(room.data(), e.kind, e.recorded_at_ms, e.event);
      CHECK(end == room.data() + size);
      CHECK(room.compare(0, size, appended) == 0);
      CHECK(room.compare(size, 8, "########") == 0);
    }
  }
}

TEST_CASE("corrupt records decode to a corruption status", "[storage][codec]") {
  stored_event e;
  e.seq = 1;
  e.event = make_event("x", "Delegate/d-1", "t", R"({"label":"x"})");
  std::string bytes;
  encode_record(e, bytes);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    auto r = decode_record(1, bytes.substr(0, cut));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == herald::errc::corruption);
  }
  std::string future = bytes;
  future[0] = 2;  // an unknown format version is not guessed at
  CHECK(decode_record(1, future).error().code() == herald::errc::corruption);
  CHECK(decode_record(1, bytes + "x").error().code() == herald::errc::corruption);
}

TEST_CASE("keys sort by sequence", "[storage][codec]") {
  CHECK(log_key(255) < log_key(256));
  CHECK(entity_history_key("A/1", 9) < entity_history_key("A/1", 10));
  CHECK(entity_history_seq(entity_history_key("Delegate/d-1", 77)) == 77u);
  CHECK(dedup_key("ab", "c") != dedup_key("a", "bc"));
}
