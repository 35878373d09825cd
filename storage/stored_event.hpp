#pragma once
// An event as the log holds it: its global sequence number, when Herald
// recorded it, its kind and its content.

#include <cstdint>

#include "domain/cloud_event.hpp"
#include "domain/event_kind.hpp"

namespace herald::storage {

struct stored_event {
  std::uint64_t seq = 0;
  std::int64_t recorded_at_ms = 0;  // wall clock (or injected clock) at append
  domain::event_kind kind = domain::event_kind::cloud_event;
  domain::cloud_event event;
};

}  // namespace herald::storage
