#pragma once
// The organisation's sending calendar (SPEC §8): a time zone, a daily
// sending time (default 08:30), business days (default Monday to Friday) and
// holidays. `business_window` actions and daily runs go out at the next
// business day's sending time, in local time, daylight-saving days included.

#include <array>
#include <cstdint>
#include <set>
#include <string>

#include "domain/config.hpp"
#include "domain/status.hpp"

namespace date {
class time_zone;
}

namespace herald::domain {

class business_calendar {
 public:
  // Builds the calendar of `org` in `zone` (looked up by the caller).
  // Returns invalid_argument naming the organisation field at fault.
  static result<business_calendar> make(const organisation_config& org, const date::time_zone* zone);

  // Returns the first sending time at or after `after_ms` (UTC ms): today's
  // if today is a business day and the sending time is still ahead, else
  // the next business day's.
  std::int64_t next_window(std::int64_t after_ms) const;

  // Returns the UTC instant of a local date ("2026-12-01", days since the
  // local epoch) at `minutes_of_day` local time.
  std::int64_t at_local(std::int64_t local_days, int minutes_of_day) const;

  bool is_business_day(std::int64_t local_days) const;
  int sending_minutes() const { return sending_minutes_; }
  const date::time_zone* zone() const { return zone_; }

 private:
  const date::time_zone* zone_ = nullptr;
  int sending_minutes_ = 8 * 60 + 30;
  std::array<bool, 7> business_days_{};  // indexed by ISO weekday - 1 (Mon = 0)
  std::set<std::int64_t> holidays_;      // local days since 1970-01-01
};

// Returns days since 1970-01-01 for "YYYY-MM-DD", nullopt when malformed.
std::optional<std::int64_t> parse_local_date(std::string_view text);

// Returns minutes of day for "HH:MM", nullopt when malformed.
std::optional<int> parse_time_of_day(std::string_view text);

}  // namespace herald::domain
