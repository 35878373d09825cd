#pragma once
// Kinds of records in the event log. Persisted: values are explicit and a
// retired value is never reused.

#include <cstdint>
#include <optional>

namespace herald::domain {

enum class event_kind : std::uint8_t {
  cloud_event = 1,   // an ingested CloudEvent (entity change or any other event)
  engine_event = 2,  // written by Herald itself: definitions, evaluations,
                     // instances, attempts, tasks. CloudEvent-shaped (source
                     // "herald", type "herald.*", subject the entity, data the
                     // new state); only the engine can write this kind.
};

// The kind a persisted byte stands for; nullopt for a value this version
// does not know (the record codec and the entity history read it).
inline std::optional<event_kind> event_kind_of(std::uint8_t value) {
  switch (value) {
    case static_cast<std::uint8_t>(event_kind::cloud_event): return event_kind::cloud_event;
    case static_cast<std::uint8_t>(event_kind::engine_event): return event_kind::engine_event;
    default: return std::nullopt;
  }
}

}  // namespace herald::domain
