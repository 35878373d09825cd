#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include <date/date.h>

#include "domain/rfc3339.hpp"

using herald::domain::format_rfc3339_ms;
using herald::domain::parse_rfc3339_ms;

TEST_CASE("RFC 3339 timestamps parse to UTC milliseconds", "[domain][rfc3339]") {
  CHECK(parse_rfc3339_ms("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339_ms("2018-04-05T17:31:00Z") == 1522949460000);
  CHECK(parse_rfc3339_ms("2018-04-05T18:31:00+01:00") == 1522949460000);
  CHECK(parse_rfc3339_ms("2018-04-05T16:31:00-01:00") == 1522949460000);
  CHECK(parse_rfc3339_ms("2018-04-05T17:31:00.250Z") == 1522949460250);
  CHECK(parse_rfc3339_ms("2018-04-05T17:31:00.000000000Z") == 1522949460000);
  CHECK(parse_rfc3339_ms("2024-02-29t00:00:00z").has_value());
}

TEST_CASE("malformed or out-of-range timestamps are rejected", "[domain][rfc3339]") {
  for (const char* bad : {"lunchtime", "2018-04-05T18:31Z", "2018-04-05T18:31:00X",
                          "2018-04-05T18:31:00+25:00", "2018-04-05T18:31:00+xx:00",
                          "2018-04-05T18:31:00+05", "2023-02-29T00:00:00Z", "2018-13-01T00:00:00Z",
                          "2018-04-05T24:00:00Z", "2018-04-05T17:31:00.Z", "2018-04-05 17:31:00Z",
                          "2018-04-05T17:31:00Zjunk", ""}) {
    INFO(bad);
    CHECK_FALSE(parse_rfc3339_ms(bad).has_value());
  }
}

TEST_CASE("formatting round-trips through parsing", "[domain][rfc3339]") {
  for (std::int64_t ms : {0LL, 1522949460250LL, 1795000000123LL, 951782400000LL}) {
    CHECK(parse_rfc3339_ms(format_rfc3339_ms(ms)) == ms);
  }
  CHECK(format_rfc3339_ms(1522949460250) == "2018-04-05T17:31:00.250Z");
  CHECK(format_rfc3339_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339_ms(951825599999) == "2000-02-29T11:59:59.999Z");
  CHECK(format_rfc3339_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_rfc3339_ms(253402300799999) == "9999-12-31T23:59:59.999Z");
  // Outside four-digit years (not RFC 3339's range) it still writes the date.
  CHECK(format_rfc3339_ms(253402300800000) == "10000-01-01T00:00:00.000Z");
}

TEST_CASE("a timestamp appended to a text, bare or quoted, is the formatted one", "[domain][rfc3339]") {
  for (std::int64_t ms : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1522949460250}, std::int64_t{253402300800000}}) {
    std::string out = "at ";
    herald::domain::append_rfc3339_ms(out, ms);
    CHECK(out == "at " + format_rfc3339_ms(ms));
    std::string quoted = "[";
    herald::domain::append_rfc3339_ms_json(quoted, ms);
    CHECK(quoted == "[\"" + format_rfc3339_ms(ms) + "\"");
  }
}

TEST_CASE("formatting agrees with the date library's across years, days and milliseconds", "[domain][rfc3339]") {
  // Every field's digits are written from a table of pairs: compared with
  // an independent formatter from year 0 to 9999, each millisecond digit.
  std::mt19937_64 random(1124);
  const std::int64_t first = -62167219200000;  // 0000-01-01T00:00:00.000Z
  const std::int64_t last = 253402300799999;   // 9999-12-31T23:59:59.999Z
  std::size_t differing = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t ms = first + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(last - first + 1));
    const date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds(ms)};
    if (format_rfc3339_ms(ms) != date::format("%FT%TZ", t)) ++differing;
  }
  for (std::int64_t ms : {first, last, std::int64_t{999}, std::int64_t{86399999}}) {
    const date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds(ms)};
    CHECK(format_rfc3339_ms(ms) == date::format("%FT%TZ", t));
  }
  CHECK(differing == 0);
}

TEST_CASE("timestamps in the same second as the last one formatted are still each their own", "[domain][rfc3339]") {
  // Each thread keeps the text of the last second it formatted: every
  // millisecond of a few seconds in a row, back again, across midnight, a
  // leap day and the epoch, and after a year it does not keep.
  auto expected = [](std::int64_t ms) {
    return date::format("%FT%TZ", date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds(ms)});
  };
  std::size_t differing = 0;
  for (std::int64_t start : {std::int64_t{1795000000000}, std::int64_t{951868798500}, std::int64_t{-1500}}) {
    for (std::int64_t ms = start; ms < start + 3000; ++ms) {
      if (format_rfc3339_ms(ms) != expected(ms)) ++differing;
    }
    for (std::int64_t ms = start + 3000; ms >= start; ms -= 7) {
      if (format_rfc3339_ms(ms) != expected(ms)) ++differing;
    }
  }
  CHECK(differing == 0);
  CHECK(format_rfc3339_ms(1795000000123) == "2026-11-18T11:06:40.123Z");
  CHECK(format_rfc3339_ms(253402300800123) == "10000-01-01T00:00:00.123Z");
  CHECK(format_rfc3339_ms(1795000000456) == "2026-11-18T11:06:40.456Z");
  // Another thread has its own last second.
  std::string other;
  std::thread([&] { other = format_rfc3339_ms(1795000000789); }).join();
  CHECK(other == "2026-11-18T11:06:40.789Z");
  CHECK(format_rfc3339_ms(1795000001000) == "2026-11-18T11:06:41.000Z");
}
