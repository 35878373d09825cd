#pragma once
// Kinds of records in the event log. Persisted: values are explicit and a
// retired value is never reused.

#include <cstdint>

namespace herald::domain {

enum class event_kind : std::uint8_t {
  cloud_event = 1,   // an ingested CloudEvent (entity change or any other event)
  engine_event = 2,  // written by Herald itself: definitions, evaluations,
                     // instances, attempts, tasks. CloudEvent-shaped (source
                     // "herald", type "herald.*", subject the entity, data the
                     // new state); only the engine can write this kind.
};

}  // namespace herald::domain
