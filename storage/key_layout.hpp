#pragma once
// Every RocksDB key layout Herald uses, one column family per concern.
//
//   CF "default"        (meta)  "format" -> "herald-store" version:u8 (=1)
//   CF "log"            seq:fixed64be -> record (record_codec.hpp)
//   CF "dedup"          source:lenstr id -> seq:fixed64be
//   CF "entity_history" entity_key:lenstr seq:fixed64be -> "" (empty)
//
//   entity_key := UTF-8 "Module/Id"
//
// "log" is the source of truth; the others are projections rebuilt from it
// by replay. Big-endian sequence numbers make key order equal seq order.
// An entity's current state is derived, not stored: its newest history
// entries point at the events that carry its record (entity_reader.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/stored_event.hpp"

namespace herald::storage {

inline constexpr const char* cf_log = "log";
inline constexpr const char* cf_dedup = "dedup";
inline constexpr const char* cf_entity_history = "entity_history";
inline constexpr const char* meta_format_key = "format";
inline constexpr std::uint8_t store_format_version = 1;

std::string format_marker();

std::string log_key(std::uint64_t seq);
std::string dedup_key(std::string_view source, std::string_view id);
std::string entity_history_prefix(std::string_view entity_key);
std::string entity_history_key(std::string_view entity_key, std::uint64_t seq);
// Returns the seq of an entity_history key, nullopt when it is malformed.
std::optional<std::uint64_t> entity_history_seq(std::string_view key);

}  // namespace herald::storage
