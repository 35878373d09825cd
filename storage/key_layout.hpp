#pragma once
// Every RocksDB key layout Herald uses, one column family per concern.
//
//   CF "default"        (meta)  "format" -> "herald-store" version:u8 (=1)
//                               "engine_checkpoint" -> seq:fixed64be (every ingested
//                               event at or below it has been handled by its entity)
//   CF "log"            seq:fixed64be -> record (record_codec.hpp)
//   CF "dedup"          source:lenstr id -> seq:fixed64be (not for events whose id
//                       is unique by construction: record flag 0x20, unique_id)
//   CF "entity_history" entity_key:lenstr seq:fixed64be -> kind:u8 (the record's
//                       domain::event_kind; empty in stores written before it was
//                       kept: the record says)
//
// Engine views, projected from engine events (engine_event.hpp). The views
// marked (ref) hold a reference to the engine event that carries the view
// in its data, so each view is written once, in the log:
//   ref := 0x00 seq:fixed64be (member of the event's data: "instance",
//          "attempt", "content" or "communication"; view_ref() below)
// and otherwise (and in stores written before references) the view's JSON,
// which never starts with 0x00. Other views hold their JSON.
//   CF "definitions"    kind "/" id -> {"kind","id","version","body"} (newest; gone when deleted)
//                       kind "/" id "@" version:fixed64be -> body (every version, kept)
//   CF "instances"      instance_id -> instance view (ref)
//   CF "entity_instances" entity_key:lenstr instance_id -> ""
//   CF "timers"         due_ms:fixed64be instance_id:lenstr action:u8 -> entity_key
//   CF "attempts"       attempt_id -> attempt view (ref)
//   CF "attempt_content" attempt_id -> {"subject","html","text","attachments","merge_values"} (ref)
//   CF "communications" communication_id -> communication view (ref)
//   CF "log_index"      newest(created_at_ms) attempt_id -> ""
//   CF "entity_log_index" entity_key:lenstr newest(created_at_ms) attempt_id -> ""
//   CF "status_log_index" group:u8 newest(created_at_ms) attempt_id -> ""
//                       (group: 'f' failed, 'n' not_sent, 'c' completed, as
//                        domain::status_in_group has them; put for each group
//                        an attempt's status reaches, never deleted: the lists
//                        check each row's status as it is now)
//   (Stores written before session 21 also held "entity_communications" and
//   "communication_index"; the communications' lists walk the two attempt
//   indexes above now, scan_communications. See retired_columns.)
//   CF "tasks"          task_id -> task view
//   CF "open_tasks"     created_at_ms:fixed64be task_id -> ""
//   CF "preferences"    recipient entity_key -> preferences view (domain/preferences.hpp)
//   CF "provider_events" attempt_id:lenstr event_id -> the provider event's data
//                       (herald.provider_event.received of a known attempt)
//   CF "errored_instances" newest(created_at_ms) instance_id -> "" (while errored)
//   CF "provider_event_expiry" received_ms:fixed64be dedup_key -> attempt_id
//                       (raw provider events still to be purged, oldest first)
//   CF "attachment_expiry" created_ms:fixed64be (seq:fixed64be | dedup_key) -> attempt_id
//                       (attempts whose content still holds attachment bodies,
//                        oldest first: purged after retention.attachments_days)
//   CF "queued_attempts" attempt_id -> owner entity_key (while the attempt is queued:
//                       a restart hands these to their providers again)
//   CF "calls_started"  attempt_id -> "" (put by a provider actor, durably, before
//                       it calls the provider; deleted when the attempt leaves
//                       queued). Not a projection: replay keeps it as it is.
//   CF "linked_from"    target_key:lenstr link:lenstr source_key -> ""
//                       (put when a source links to a target, never deleted:
//                        readers check the source still links there)
//   newest(ms) := (2^64 - 1 - ms):fixed64be, so that key order is newest first
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

#include "storage/coding.hpp"
#include "storage/stored_event.hpp"

namespace herald::storage {

inline constexpr const char* cf_log = "log";
inline constexpr const char* cf_dedup = "dedup";
inline constexpr const char* cf_entity_history = "entity_history";
inline constexpr const char* cf_definitions = "definitions";
inline constexpr const char* cf_instances = "instances";
inline constexpr const char* cf_entity_instances = "entity_instances";
inline constexpr const char* cf_timers = "timers";
inline constexpr const char* cf_attempts = "attempts";
inline constexpr const char* cf_attempt_content = "attempt_content";
inline constexpr const char* cf_communications = "communications";
inline constexpr const char* cf_log_index = "log_index";
inline constexpr const char* cf_entity_log_index = "entity_log_index";
inline constexpr const char* cf_status_log_index = "status_log_index";
inline constexpr const char* cf_tasks = "tasks";
inline constexpr const char* cf_open_tasks = "open_tasks";
inline constexpr const char* cf_linked_from = "linked_from";
inline constexpr const char* cf_preferences = "preferences";
inline constexpr const char* cf_provider_events = "provider_events";
inline constexpr const char* cf_provider_event_expiry = "provider_event_expiry";
inline constexpr const char* cf_errored_instances = "errored_instances";
inline constexpr const char* cf_queued_attempts = "queued_attempts";
inline constexpr const char* cf_attachment_expiry = "attachment_expiry";
inline constexpr const char* cf_calls_started = "calls_started";

// Families earlier versions wrote and none reads: dropped when a store is
// opened for writing.
inline constexpr const char* retired_columns[] = {"entity_communications", "communication_index"};

// Every column family but "default" and "log": all rebuilt by a full replay.
inline constexpr const char* projection_columns[] = {
    cf_dedup,         cf_entity_history,      cf_definitions,  cf_instances,
    cf_entity_instances, cf_timers,           cf_attempts,     cf_attempt_content,
    cf_communications, cf_log_index,         cf_entity_log_index, cf_tasks,
    cf_open_tasks,    cf_linked_from,         cf_preferences,
    cf_provider_events, cf_provider_event_expiry, cf_errored_instances, cf_queued_attempts,
    cf_attachment_expiry, cf_status_log_index};
// The engine views among them (rebuilt only by a full replay).
inline constexpr const char* engine_view_columns[] = {
    cf_definitions,   cf_instances,   cf_entity_instances, cf_timers,
    cf_attempts,      cf_attempt_content, cf_communications, cf_log_index,
    cf_entity_log_index, cf_tasks,        cf_open_tasks,
    cf_linked_from,   cf_preferences, cf_provider_events, cf_provider_event_expiry,
    cf_errored_instances, cf_queued_attempts, cf_attachment_expiry, cf_status_log_index};
inline constexpr const char* meta_format_key = "format";
// Present once status_log_index holds every attempt (written when a store
// made before it had its attempts indexed at open).
inline constexpr const char* meta_status_index_key = "status_log_index";
inline constexpr const char* meta_engine_checkpoint_key = "engine_checkpoint";
inline constexpr std::uint8_t store_format_version = 1;

std::string format_marker();

std::string log_key(std::uint64_t seq);
std::string dedup_key(std::string_view source, std::string_view id);
std::string entity_history_prefix(std::string_view entity_key);
// entity_key:lenstr, the prefix of every per-entity index.
std::string entity_prefix(std::string_view entity_key);
std::string newest_first(std::int64_t ms);
// The status_log_index group of a status ('f', 'n', 'c'), or of a group's
// name ("failed", "not_sent", "completed"); 0 when there is none (queued,
// task_open, "all", ...).
char status_index_group(std::string_view status_or_group);
// newest_first as a piece of a key composed in place (coding.hpp).
key_piece newest_first_piece(std::int64_t ms);
std::string timer_key(std::int64_t due_ms, std::string_view instance_id, int action);
struct timer_key_parts {
  std::int64_t due_ms = 0;
  std::string instance_id;
  int action = 0;
};
std::optional<timer_key_parts> parse_timer_key(std::string_view key);
std::string entity_history_key(std::string_view entity_key, std::uint64_t seq);
// Returns the seq of an entity_history key, nullopt when it is malformed.
std::optional<std::uint64_t> entity_history_seq(std::string_view key);
// A (ref) view value: the engine event `seq` carries the view.
std::string view_ref(std::uint64_t seq);
// The seq of a (ref) view value; nullopt when the value is the view's JSON.
std::optional<std::uint64_t> view_ref_seq(std::string_view value);

}  // namespace herald::storage
