#pragma once
// Reads of the engine's JSON views for the API handlers that act on what an
// attempt belongs to (webhooks, operations, tasks).

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "storage/rocksdb_event_store.hpp"

namespace herald::adapters {

// Returns the view as a JSON object; empty when missing or unreadable.
boost::json::object read_view(const storage::rocksdb_event_store& store,
                              storage::rocksdb_event_store::view_kind kind, const std::string& id);

// What an attempt belongs to: the entity whose actor owns it (attempt ->
// instance -> entity; empty for an attempt of no instance), its recipient and
// category. `known` is false when there is no such attempt.
struct attempt_facts {
  bool known = false;
  std::string owner;
  std::string recipient;
  std::string category;
};
attempt_facts facts_of_attempt(const storage::rocksdb_event_store& store, const std::string& attempt_id);

// The "id" of each item of a list answer ({"items": [...]}) from the API's
// own list handlers (bulk resend, download by filter).
std::vector<std::string> item_ids(const std::string& list_body);

}  // namespace herald::adapters
