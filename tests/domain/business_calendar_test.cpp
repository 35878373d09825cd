#include <catch2/catch.hpp>

#include <date/tz.h>

#include "domain/business_calendar.hpp"
#include "domain/rfc3339.hpp"

using namespace herald::domain;

namespace {
std::int64_t at(const char* text) { return *parse_rfc3339_ms(text); }

business_calendar london_calendar(std::vector<std::string> holidays = {}) {
  organisation_config org;
  org.holidays = std::move(holidays);
  auto c = business_calendar::make(org, date::locate_zone("Europe/London"));
  REQUIRE(c);
  return *c;
}
}  // namespace

TEST_CASE("the next business window is today's sending time when still ahead", "[domain][calendar]") {
  auto c = london_calendar();
  // Tuesday 2026-11-24, 07:00 GMT: 08:30 today.
  CHECK(c.next_window(at("2026-11-24T07:00:00Z")) == at("2026-11-24T08:30:00Z"));
  CHECK(c.next_window(at("2026-11-24T08:30:00Z")) == at("2026-11-24T08:30:00Z"));
  // After the sending time: tomorrow.
  CHECK(c.next_window(at("2026-11-24T08:31:00Z")) == at("2026-11-25T08:30:00Z"));
}

TEST_CASE("Friday after the sending time goes to Monday 08:30", "[domain][calendar]") {
  auto c = london_calendar();
  CHECK(c.next_window(at("2026-11-27T09:00:00Z")) == at("2026-11-30T08:30:00Z"));
  CHECK(c.next_window(at("2026-11-28T12:00:00Z")) == at("2026-11-30T08:30:00Z"));  // Saturday
}

TEST_CASE("holidays are skipped", "[domain][calendar]") {
  auto c = london_calendar({"2026-12-25", "2026-12-28"});
  // Thursday 24 Dec after 08:30: Fri 25 (holiday), weekend, Mon 28 (holiday) -> Tue 29.
  CHECK(c.next_window(at("2026-12-24T10:00:00Z")) == at("2026-12-29T08:30:00Z"));
}

TEST_CASE("the sending time is local across daylight-saving changes", "[domain][calendar]") {
  auto c = london_calendar();
  // Summer time: 08:30 BST is 07:30 UTC.
  CHECK(c.next_window(at("2026-06-10T06:00:00Z")) == at("2026-06-10T07:30:00Z"));
  // Friday 2026-10-23 after sending time -> Monday 26 Oct, after the clocks went back (GMT).
  CHECK(c.next_window(at("2026-10-23T09:00:00Z")) == at("2026-10-26T08:30:00Z"));
  // Friday 2026-03-27 after sending time -> Monday 30 Mar, now BST.
  CHECK(c.next_window(at("2026-03-27T09:00:00Z")) == at("2026-03-30T07:30:00Z"));
}

TEST_CASE("a wall-clock time skipped by the clocks moves forward", "[domain][calendar]") {
  organisation_config org;
  org.sending_time = "01:30";
  org.business_days = {"Sun"};
  auto c = business_calendar::make(org, date::locate_zone("Europe/London"));
  REQUIRE(c);
  // 2026-03-29 01:30 does not exist in London; it becomes 02:30 BST = 01:30 UTC.
  CHECK(c->next_window(at("2026-03-28T12:00:00Z")) == at("2026-03-29T01:30:00Z"));
}

TEST_CASE("a calendar with bad settings names the setting", "[domain][calendar]") {
  organisation_config org;
  org.business_days = {};
  CHECK(business_calendar::make(org, date::locate_zone("Europe/London")).error().field() ==
        "organisation.business_days");
  organisation_config no_zone;
  CHECK(business_calendar::make(no_zone, nullptr).error().field() == "organisation.time_zone");
  CHECK(parse_local_date("2026-02-30") == std::nullopt);
  CHECK(parse_time_of_day("24:00") == std::nullopt);
}
