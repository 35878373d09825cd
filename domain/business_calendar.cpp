#include "domain/business_calendar.hpp"

#include <chrono>

#include <date/date.h>
#include <date/tz.h>

#include "domain/local_time.hpp"

namespace herald::domain {
namespace {
constexpr std::int64_t ms_per_day = 86400000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : (a - b + 1) / b; }
}  // namespace

std::optional<std::int64_t> parse_local_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
    return std::nullopt;
  }
  int y = 0, m = 0, d = 0;
  for (std::size_t i : {0, 1, 2, 3}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    y = y * 10 + (s[i] - '0');
  }
  for (std::size_t i : {5, 6}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    m = m * 10 + (s[i] - '0');
  }
  for (std::size_t i : {8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    d = d * 10 + (s[i] - '0');
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return date::sys_days{ymd}.time_since_epoch().count();
}

std::optional<int> parse_time_of_day(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') {
    return std::nullopt;
  }
  for (std::size_t i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) {
    return std::nullopt;
  }
  return h * 60 + m;
}

result<business_calendar> business_calendar::make(const organisation_config& org,
                                                  const date::time_zone* zone) {
  if (!zone) {
    return status{errc::invalid_argument, "unknown time zone '" + org.time_zone + "'",
                  "organisation.time_zone"};
  }
  business_calendar c;
  c.zone_ = zone;
  auto minutes = parse_time_of_day(org.sending_time);
  if (!minutes) {
    return status{errc::invalid_argument, "must be a time of day HH:MM",
                  "organisation.sending_time"};
  }
  c.sending_minutes_ = *minutes;
  static const char* const names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  for (std::size_t i = 0; i < org.business_days.size(); ++i) {
    bool known = false;
    for (int d = 0; d < 7; ++d) {
      if (org.business_days[i] == names[d]) {
        c.business_days_[static_cast<std::size_t>(d)] = known = true;
      }
    }
    if (!known) {
      return status{errc::invalid_argument, "must be one of Mon Tue Wed Thu Fri Sat Sun",
                    "organisation.business_days[" + std::to_string(i) + "]"};
    }
  }
  bool any_day = false;
  for (bool b : c.business_days_) any_day = any_day || b;
  if (!any_day) {
    return status{errc::invalid_argument, "needs at least one business day",
                  "organisation.business_days"};
  }
  for (std::size_t i = 0; i < org.holidays.size(); ++i) {
    auto day = parse_local_date(org.holidays[i]);
    if (!day) {
      return status{errc::invalid_argument, "must be a date YYYY-MM-DD",
                    "organisation.holidays[" + std::to_string(i) + "]"};
    }
    c.holidays_.insert(*day);
  }
  return c;
}

bool business_calendar::is_business_day(std::int64_t local_days) const {
  const date::weekday wd{date::sys_days{date::days{local_days}}};
  return business_days_[wd.iso_encoding() - 1] && !holidays_.count(local_days);
}

std::int64_t business_calendar::at_local(std::int64_t local_days, int minutes_of_day) const {
  return local_to_utc_ms(zone_, local_days * ms_per_day + std::int64_t{minutes_of_day} * 60000);
}

std::int64_t business_calendar::next_window(std::int64_t after_ms) const {
  std::int64_t day = floor_div(utc_to_local_ms(zone_, after_ms), ms_per_day);
  // At most a year of holidays and weekends can stand in the way.
  for (int i = 0; i < 400; ++i, ++day) {
    if (!is_business_day(day)) {
      continue;
    }
    const std::int64_t window = at_local(day, sending_minutes_);
    if (window >= after_ms) {
      return window;
    }
  }
  return after_ms;  // unreachable with at least one business day a week
}

}  // namespace herald::domain
