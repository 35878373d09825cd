#pragma once
// Reads an entity's current snapshot from the store: its head, its record
// (the data of the newest event that carried one) and what that event
// changed compared with the record before it. Shared by the HTTP API and by
// entity actors restoring themselves after passivation.

#include <optional>
#include <string>
#include <vector>

#include "domain/status.hpp"
#include "storage/event_store.hpp"

namespace herald::storage {

struct entity_snapshot {
  entity_head head;
  std::string record_json;                  // empty when no event carried a record yet
  std::vector<std::string> changed_fields;  // newest record vs the one before it
};

// Returns nullopt when the entity was never seen.
result<std::optional<entity_snapshot>> read_entity(const event_store& store,
                                                   const std::string& entity_key);

}  // namespace herald::storage
