#include "domain/rfc3339.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>

namespace herald::domain {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
// days_from_civil).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yoe + era * 400) + (m <= 2);
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
      !digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  if (pos >= s.size()) {
    return std::nullopt;
  }
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) {
    return std::nullopt;
  }
  if (second == 60) {
    second = 59;  // a leap second is valid input; we store it as :59.999
    millis = 999;
  }
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month),
                                            static_cast<unsigned>(day));
  const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second -
                            static_cast<std::int64_t>(offset_minutes) * 60;
  return secs * 1000 + millis;
}

namespace {

constexpr std::size_t rfc3339_ms_size = 24;  // "YYYY-MM-DDTHH:MM:SS.mmmZ"

// Digits two at a time from a table, not snprintf nor a division per digit.
constexpr char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void put2(char* at, int value) {  // value in [0, 100)
  at[0] = digit_pairs[2 * value];
  at[1] = digit_pairs[2 * value + 1];
}

// An instant as whole seconds and milliseconds, and those seconds as days
// since the epoch and the second of the day (floored: before 1970 too).
struct epoch_parts {
  std::int64_t secs;
  int ms;
  std::int64_t days;
  int sod;
};

epoch_parts split_epoch_ms(std::int64_t epoch_ms) {
  epoch_parts p;
  p.secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  p.ms = static_cast<int>(epoch_ms - p.secs * 1000);
  p.days = p.secs >= 0 ? p.secs / 86400 : (p.secs - 86399) / 86400;
  p.sod = static_cast<int>(p.secs - p.days * 86400);
  return p;
}

// Writes the 24 characters of `epoch_ms` to `text`; false (nothing written)
// for a year outside 0000-9999. Every record carries several of these, and
// at full load most fall in the second the previous one did: each thread
// keeps the text of its last second and rewrites only the milliseconds.
bool write_rfc3339_ms(char* text, std::int64_t epoch_ms) {
  const epoch_parts t = split_epoch_ms(epoch_ms);
  struct last_second {
    std::int64_t secs = INT64_MIN;
    char text[rfc3339_ms_size];
  };
  thread_local last_second last;
  if (t.secs != last.secs) {
    int y;
    unsigned m, d;
    civil_from_days(t.days, y, m, d);
    if (y < 0 || y > 9999) return false;
    std::memcpy(last.text, "0000-00-00T00:00:00.000Z", rfc3339_ms_size);
    put2(last.text + 0, y / 100);
    put2(last.text + 2, y % 100);
    put2(last.text + 5, static_cast<int>(m));
    put2(last.text + 8, static_cast<int>(d));
    put2(last.text + 11, t.sod / 3600);
    put2(last.text + 14, (t.sod / 60) % 60);
    put2(last.text + 17, t.sod % 60);
    last.secs = t.secs;
  }
  std::memcpy(text, last.text, rfc3339_ms_size);
  text[20] = static_cast<char>('0' + t.ms / 100);
  put2(text + 21, t.ms % 100);
  return true;
}

// Years outside 0000-9999 (not a time Herald writes, but one a caller may
// hand it): printed as they come, sign and all.
void append_out_of_range(std::string& out, std::int64_t epoch_ms) {
  const epoch_parts t = split_epoch_ms(epoch_ms);
  int y;
  unsigned m, d;
  civil_from_days(t.days, y, m, d);
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, t.sod / 3600,
                              (t.sod / 60) % 60, t.sod % 60, t.ms);
  out.append(buf, static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof buf) - 1)));
}

}  // namespace

void append_rfc3339_ms(std::string& out, std::int64_t epoch_ms) {
  char text[rfc3339_ms_size];
  if (write_rfc3339_ms(text, epoch_ms)) {
    out.append(text, sizeof text);
  } else {
    append_out_of_range(out, epoch_ms);
  }
}

void append_rfc3339_ms_json(text_sink& out, std::int64_t epoch_ms) {
  char* quoted = out.room(rfc3339_ms_size + 2);
  if (write_rfc3339_ms(quoted + 1, epoch_ms)) {
    quoted[0] = '"';
    quoted[rfc3339_ms_size + 1] = '"';
    out.advance_to(quoted + rfc3339_ms_size + 2);
    return;
  }
  std::string text = "\"";
  append_out_of_range(text, epoch_ms);
  text += '"';
  out.append(text);
}

void append_rfc3339_ms_json(std::string& out, std::int64_t epoch_ms) {
  text_sink sink(out);
  append_rfc3339_ms_json(sink, epoch_ms);
}

std::string format_rfc3339_ms(std::int64_t epoch_ms) {
  std::string out;
  append_rfc3339_ms(out, epoch_ms);
  return out;
}

}  // namespace herald::domain
