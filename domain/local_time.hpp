#pragma once
// Conversions between UTC instants and wall-clock time in a time zone, with
// one rule for the wall-clock times a daylight-saving change skips or
// repeats: a skipped time moves forward by the gap (01:30 on the London
// spring-forward day is 02:30 BST), a repeated time takes the earlier
// instant. Zones come from the OS tz database via date::locate_zone, looked
// up once at the edge (configuration); computing with them is pure.

#include <cstdint>

namespace date {
class time_zone;
}

namespace herald::domain {

// Returns the UTC instant (ms) of local wall-clock ms-since-local-epoch.
std::int64_t local_to_utc_ms(const date::time_zone* zone, std::int64_t local_ms);

// Returns the local wall-clock ms-since-local-epoch of a UTC instant.
std::int64_t utc_to_local_ms(const date::time_zone* zone, std::int64_t utc_ms);

}  // namespace herald::domain
