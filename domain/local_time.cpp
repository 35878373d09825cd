#include "domain/local_time.hpp"

#include <chrono>

#include <date/tz.h>

namespace herald::domain {

std::int64_t local_to_utc_ms(const date::time_zone* zone, std::int64_t local_ms) {
  using namespace std::chrono;
  const date::local_time<milliseconds> local{milliseconds(local_ms)};
  // `first` is the offset in force before a gap or the earlier of a repeat.
  const auto info = zone->get_info(date::floor<seconds>(local));
  return (local.time_since_epoch() - duration_cast<milliseconds>(info.first.offset)).count();
}

std::int64_t utc_to_local_ms(const date::time_zone* zone, std::int64_t utc_ms) {
  using namespace std::chrono;
  const date::sys_time<milliseconds> instant{milliseconds(utc_ms)};
  return zone->to_local(instant).time_since_epoch().count();
}

}  // namespace herald::domain
