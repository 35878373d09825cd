#pragma once
// Reads an entity's current state from the store. Nothing of it is stored
// apart from the log: the entity's history (newest first) leads to its
// newest event (deleted or not), the newest event that carried its record,
// and the record before that one (for changed_fields). Shared by the HTTP
// API and by entity actors restoring themselves after passivation.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/entity_record.hpp"
#include "domain/status.hpp"
#include "storage/event_store.hpp"

namespace herald::storage {

struct entity_snapshot {
  std::uint64_t last_seq = 0;  // newest event its source sent (engine events excluded)
  std::uint64_t data_seq = 0;  // newest event that carried its record (0: none)
  bool deleted = false;        // the newest event's type ends in ".deleted"
  std::string record_json;     // the record of data_seq; empty when none
  std::optional<domain::entity_record> record;  // record_json parsed (nullopt: none, or not a record)
  std::vector<std::string> changed_fields;  // that record vs the one before it
  // The record before data_seq (what read_record_before(data_seq) answers);
  // empty when there was none. An actor judging the event data_seq needs it.
  std::string previous_record_json;
  // The whole history was read and holds no event Herald wrote about the
  // entity: no instance, attempt or link of it exists yet (a reverse link
  // reaching it needs its own links event first), so there is nothing of
  // the engine's to restore.
  bool no_engine_history = false;
};

// An event of the entity the caller holds already (the one an actor is
// spawned for): the walk takes it from here instead of reading it back.
// The log is immutable, so what is held is what the log holds.
struct known_event {
  std::uint64_t seq = 0;                       // 0: none
  const domain::cloud_event* event = nullptr;  // the event of `seq`; outlives the call
};

// Returns nullopt when the entity was never seen.
result<std::optional<entity_snapshot>> read_entity(const event_store& store,
                                                   const std::string& entity_key, known_event known = {});

// Returns the record the entity had just before event `before_seq` (the
// newest record its source sent below that seq), nullopt when none.
result<std::optional<std::string>> read_record_before(const event_store& store,
                                                      const std::string& entity_key,
                                                      std::uint64_t before_seq);

}  // namespace herald::storage
