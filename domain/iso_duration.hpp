#pragma once
// ISO-8601 durations as workflows use them: "PT2M", "P1D", "-P14D",
// "P1Y2M3DT4H5M6S", "P2W". Calendar parts (years, months, weeks, days) are
// applied to local dates, so "P1D" across a daylight-saving change keeps the
// wall-clock time; time parts (hours, minutes, seconds) are exact.

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/status.hpp"

namespace date {
class time_zone;
}

namespace herald::domain {

struct iso_duration {
  bool negative = false;
  int years = 0;
  int months = 0;
  int days = 0;               // weeks are folded in as 7 days
  std::int64_t seconds = 0;   // hours, minutes and seconds

  bool is_zero() const { return years == 0 && months == 0 && days == 0 && seconds == 0; }
  friend bool operator==(const iso_duration& a, const iso_duration& b) {
    return a.negative == b.negative && a.years == b.years && a.months == b.months &&
           a.days == b.days && a.seconds == b.seconds;
  }
};

// Returns the duration, or invalid_argument naming the text when malformed
// (no 'P', no parts, a time part without 'T', fractions, overflow).
result<iso_duration> parse_iso_duration(std::string_view text);

// Returns the canonical text ("-P14D", "PT2M", "PT0S").
std::string to_string(const iso_duration& d);

// Returns `epoch_ms` moved by `d`: calendar parts on the local date in
// `zone` (month ends clamp: Jan 31 + P1M = Feb 28/29), then the time parts.
std::int64_t add_duration(std::int64_t epoch_ms, const iso_duration& d, const date::time_zone* zone);

}  // namespace herald::domain
