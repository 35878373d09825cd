#include "domain/iso_duration.hpp"

#include <chrono>

#include <date/tz.h>

#include "domain/local_time.hpp"

namespace herald::domain {

result<iso_duration> parse_iso_duration(std::string_view text) {
  auto bad = [&] {
    return status{errc::invalid_argument,
                  "'" + std::string(text) + "' is not an ISO-8601 duration (e.g. PT2M, P1D, -P14D)"};
  };
  iso_duration d;
  std::size_t pos = 0;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
    d.negative = text[pos] == '-';
    ++pos;
  }
  if (pos >= text.size() || text[pos] != 'P') {
    return bad();
  }
  ++pos;
  bool in_time = false, any = false;
  const std::string date_units = "YMWD", time_units = "HMS";
  std::string seen;
  while (pos < text.size()) {
    if (text[pos] == 'T') {
      if (in_time || pos + 1 == text.size()) {
        return bad();
      }
      in_time = true;
      ++pos;
      continue;
    }
    std::int64_t n = 0;
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      n = n * 10 + (text[pos] - '0');
      if (n > 1000000000) {
        return bad();
      }
      ++pos;
    }
    if (pos == start || pos >= text.size()) {
      return bad();
    }
    const char unit = text[pos++];
    const std::string key = std::string(in_time ? "T" : "") + unit;
    if ((in_time ? time_units : date_units).find(unit) == std::string::npos ||
        seen.find(key) != std::string::npos) {
      return bad();
    }
    seen += key;
    any = true;
    if (!in_time) {
      if (unit == 'Y') d.years = static_cast<int>(n);
      if (unit == 'M') d.months = static_cast<int>(n);
      if (unit == 'W') d.days += static_cast<int>(n * 7);
      if (unit == 'D') d.days += static_cast<int>(n);
    } else {
      d.seconds += n * (unit == 'H' ? 3600 : unit == 'M' ? 60 : 1);
    }
  }
  if (!any) {
    return bad();
  }
  return d;
}

std::string to_string(const iso_duration& d) {
  std::string out = d.negative ? "-P" : "P";
  if (d.years) out += std::to_string(d.years) + "Y";
  if (d.months) out += std::to_string(d.months) + "M";
  if (d.days) out += std::to_string(d.days) + "D";
  if (d.seconds || (!d.years && !d.months && !d.days)) {
    out += "T";
    std::int64_t s = d.seconds;
    if (s / 3600) out += std::to_string(s / 3600) + "H";
    if ((s / 60) % 60) out += std::to_string((s / 60) % 60) + "M";
    if (s % 60 || s == 0) out += std::to_string(s % 60) + "S";
  }
  return out;
}

std::int64_t add_duration(std::int64_t epoch_ms, const iso_duration& d, const date::time_zone* zone) {
  using namespace std::chrono;
  const int sign = d.negative ? -1 : 1;
  std::int64_t result = epoch_ms;
  if (d.years || d.months || d.days) {
    const auto instant = date::sys_time<milliseconds>(milliseconds(epoch_ms));
    const auto local = zone->to_local(instant);
    const auto local_day = date::floor<date::days>(local);
    const auto time_of_day = local - local_day;
    date::year_month_day ymd{local_day};
    const int total_months = static_cast<int>(ymd.year()) * 12 +
                             static_cast<int>(static_cast<unsigned>(ymd.month())) - 1 +
                             sign * (d.years * 12 + d.months);
    const date::year y{total_months / 12};
    const date::month m{static_cast<unsigned>(total_months % 12 + 1)};
    const date::day last = date::year_month_day_last{y, date::month_day_last{m}}.day();
    const date::day dd = std::min(ymd.day(), last);
    const date::local_days shifted = date::local_days{y / m / dd} + date::days{sign * d.days};
    const auto local_result = shifted + time_of_day;
    result = local_to_utc_ms(zone, local_result.time_since_epoch().count());
  }
  return result + sign * d.seconds * 1000;
}

}  // namespace herald::domain
