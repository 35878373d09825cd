#pragma once
// Kinds of records in the event log. Persisted: values are explicit and a
// retired value is never reused.

#include <cstdint>

namespace herald::domain {

enum class event_kind : std::uint8_t {
  cloud_event = 1,  // an ingested CloudEvent (entity change or any other event)
  // 2..: workflow, template, instance and attempt events (workflow engine issue)
};

}  // namespace herald::domain
