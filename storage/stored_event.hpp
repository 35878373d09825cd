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

// The entity projection: where an entity's current snapshot lives in the log.
struct entity_head {
  std::uint64_t last_seq = 0;  // newest event about the entity
  std::uint64_t data_seq = 0;  // newest event that carried its record (0: none yet)
  bool deleted = false;        // the newest event's type ends in ".deleted"

  friend bool operator==(const entity_head& a, const entity_head& b) {
    return a.last_seq == b.last_seq && a.data_seq == b.data_seq && a.deleted == b.deleted;
  }
};

}  // namespace herald::storage
