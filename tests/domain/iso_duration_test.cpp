#include <catch2/catch.hpp>

#include <date/tz.h>

#include "domain/iso_duration.hpp"
#include "domain/rfc3339.hpp"

using namespace herald::domain;

namespace {
std::int64_t at(const char* text) { return *parse_rfc3339_ms(text); }
const date::time_zone* london() { return date::locate_zone("Europe/London"); }
}  // namespace

TEST_CASE("ISO-8601 durations parse into calendar and time parts", "[domain][duration]") {
  CHECK(parse_iso_duration("PT2M")->seconds == 120);
  CHECK(parse_iso_duration("P1D")->days == 1);
  auto before = parse_iso_duration("-P14D");
  REQUIRE(before);
  CHECK(before->negative);
  CHECK(before->days == 14);
  auto full = parse_iso_duration("P1Y2M3DT4H5M6S");
  REQUIRE(full);
  CHECK(full->years == 1);
  CHECK(full->months == 2);
  CHECK(full->days == 3);
  CHECK(full->seconds == 4 * 3600 + 5 * 60 + 6);
  CHECK(parse_iso_duration("P2W")->days == 14);
  CHECK(to_string(*parse_iso_duration("-P14D")) == "-P14D");
  CHECK(to_string(*parse_iso_duration("PT2M")) == "PT2M");
  for (const char* bad : {"", "P", "2M", "PT", "P1H", "PT1D", "P1.5D", "P1D1D", "PX", "T2M", "P-1D"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso_duration(bad));
  }
}

TEST_CASE("durations add exactly for time parts and by the calendar for days", "[domain][duration]") {
  CHECK(add_duration(at("2026-11-02T10:00:00Z"), *parse_iso_duration("PT2M"), london()) ==
        at("2026-11-02T10:02:00Z"));
  // London springs forward on 2026-03-29: one calendar day keeps 08:30 local.
  CHECK(add_duration(at("2026-03-28T08:30:00Z"), *parse_iso_duration("P1D"), london()) ==
        at("2026-03-29T07:30:00Z"));
  // ...while 24 hours do not.
  CHECK(add_duration(at("2026-03-28T08:30:00Z"), *parse_iso_duration("PT24H"), london()) ==
        at("2026-03-29T08:30:00Z"));
  CHECK(add_duration(at("2026-12-15T09:00:00Z"), *parse_iso_duration("-P14D"), london()) ==
        at("2026-12-01T09:00:00Z"));
  // Month ends clamp.
  CHECK(add_duration(at("2026-01-31T12:00:00Z"), *parse_iso_duration("P1M"), london()) ==
        at("2026-02-28T12:00:00Z"));
}
