#pragma once
// Reads a recipient's preferences from the "preferences" view.

#include <string>

#include "domain/preferences.hpp"

namespace herald::storage {

class rocksdb_event_store;

// Returns the stored preferences of `recipient` (an entity key); none
// stored, or unreadable, means everything allowed.
domain::preferences read_preferences(const rocksdb_event_store& store, const std::string& recipient);

}  // namespace herald::storage
