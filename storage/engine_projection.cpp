// Projection of engine events into the engine views (layouts in
// key_layout.hpp). Engine events carry the new state of their object, so
// each update is a put of a reference to the event (the log holds the
// state) plus its index keys; nothing is read.

#include <cstdio>
#include <cstdlib>

#include <boost/json.hpp>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "domain/engine_event.hpp"
#include "domain/engine_facts.hpp"
#include "domain/json_fields.hpp"
#include "domain/rfc3339.hpp"
#include "domain/scratch_json.hpp"
#include "storage/coding.hpp"
#include "storage/key_layout.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "storage/sorted_batch.hpp"

namespace json = boost::json;
using herald::domain::json_fields::i64;
using herald::domain::json_fields::str;
using herald::domain::json_fields::time_ms;

namespace herald::storage {

void rocksdb_event_store::project_instance(std::uint64_t seq, const domain::instance_facts& f,
                                           sorted_writes& batch) const {
  {
    std::lock_guard<std::mutex> lock(metrics_mutex_);
    ++metrics_.instance_records[f.state];
  }
  batch.put(cf(cf_instances), f.id, view_ref(seq));
  // Whether this is the instance's first record or a later one; records
  // written before the engine said so may be either.
  const bool first = !f.created || *f.created;
  const bool later = !f.created || !*f.created;
  // Created-at keys are stable, so leaving the errored state deletes the
  // key (a first record has none to delete).
  const key_piece created = newest_first_piece(f.created_at_ms);
  if (f.state == "errored") {
    batch.put(cf(cf_errored_instances), {created, f.id}, rocksdb::Slice());
  } else if (later) {
    batch.erase(cf(cf_errored_instances), {created, f.id});
  }
  if (first) batch.put(cf(cf_entity_instances), {lenstr_length(f.entity), f.entity, f.id}, rocksdb::Slice());
  for (const auto& [due, action] : f.timers_remove) batch.erase(cf(cf_timers), timer_key(due, f.id, action));
  for (const auto& [due, action] : f.timers_add) batch.put(cf(cf_timers), timer_key(due, f.id, action), f.entity);
}

void rocksdb_event_store::project_attempt(std::uint64_t seq, const domain::cloud_event& event,
                                          const domain::attempt_facts& f, sorted_writes& batch) const {
  const std::string ref = view_ref(seq);
  {
    std::lock_guard<std::mutex> lock(metrics_mutex_);
    ++metrics_.attempt_records[{f.channel, f.status}];
  }
  batch.put(cf(cf_attempts), f.id, ref);
  if (f.status == "queued") {
    batch.put(cf(cf_queued_attempts), f.id, event.subject.value_or(""));
  } else {
    batch.erase(cf(cf_queued_attempts), f.id);
    if (started_calls_.erase(f.id)) batch.erase(cf(cf_calls_started), f.id);
  }
  if (f.has_content) {
    batch.put(cf(cf_attempt_content), f.id, ref);
    if (f.has_attachments) {
      // The record is found again by its seq, or for an event with a
      // dedup entry (not unique_id) by its (source, id).
      batch.put(cf(cf_attachment_expiry),
                fixed64be(static_cast<std::uint64_t>(std::max<std::int64_t>(f.created_at_ms, 0))) +
                    (event.unique_id ? fixed64be(seq) : dedup_key(event.source, event.id)),
                f.id);
    }
  }
  // Each status group the attempt reaches, for the Failed, Not Sent and
  // Completed lists: they walk these instead of every attempt.
  project_status_group(f.id, f.status, f.created_at_ms, batch);
  // The communication, and index keys that derive from what an attempt is
  // created with (its id, owner, creation time), come with the event that
  // creates it; a status update leaves them as they are.
  if (!f.communication_id) return;
  const std::string& comm_id = *f.communication_id;
  batch.put(cf(cf_communications), comm_id, ref);
  const key_piece created = newest_first_piece(f.created_at_ms);
  const key_piece owner = lenstr_length(f.mapped_to);
  // The lists of communications walk these too (scan_communications): a
  // communication is listed where its latest attempt is, so it needs no
  // index of its own to move when an attempt follows.
  batch.put(cf(cf_log_index), {created, f.id}, rocksdb::Slice());
  batch.put(cf(cf_entity_log_index), {owner, f.mapped_to, created, f.id}, rocksdb::Slice());
}

void rocksdb_event_store::project_status_group(std::string_view id, std::string_view status,
                                               std::int64_t created_at_ms, sorted_writes& batch) const {
  if (const char group = status_index_group(status)) {
    batch.put(cf(cf_status_log_index), {std::string_view(&group, 1), newest_first_piece(created_at_ms), id},
              rocksdb::Slice());
  }
}

void rocksdb_event_store::project_engine_event(std::uint64_t seq, const domain::cloud_event& event,
                                               sorted_writes& batch) const {
  namespace engine = domain::engine;
  if (event.facts && !check_engine_facts_) {
    // The engine's own record: what it says is known without parsing it.
    if (event.facts->instance) project_instance(seq, *event.facts->instance, batch);
    if (event.facts->attempt) project_attempt(seq, event, *event.facts->attempt, batch);
    return;
  }
  const domain::scratch_json data(event.data);  // only read: strings and numbers are copied out
  if (!data.ok() || !data.value().is_object()) {
    return;  // engine events are written by Herald; a malformed one has no view
  }
  const json::object& d = data.value().get_object();

  if (event.type == engine::instance_updated || event.type == engine::attempt_updated) {
    const auto facts = domain::engine_facts_of(event.type, d);
    if (event.facts && (!facts || !(*facts == *event.facts))) {
      // HERALD_CHECK_ENGINE_FACTS (tests): the engine said otherwise than
      // its record does. Replay would project something else: stop here.
      std::fprintf(stderr, "herald: the facts handed with %s %s differ from its data: %s\n", event.type.c_str(),
                   event.id.c_str(), event.data.c_str());
      std::abort();
    }
    if (facts && facts->instance) project_instance(seq, *facts->instance, batch);
    if (facts && facts->attempt) project_attempt(seq, event, *facts->attempt, batch);
  } else if (event.type == engine::definition_put) {
    const std::string name = str(d, "kind") + "/" + str(d, "id");
    batch.put(cf(cf_definitions), name, event.data);
    const json::value* body = d.if_contains("body");
    batch.put(cf(cf_definitions), name + "@" + fixed64be(static_cast<std::uint64_t>(i64(d, "version"))),
              body ? json::serialize(*body) : std::string("null"));
  } else if (event.type == engine::definition_deleted) {
    batch.erase(cf(cf_definitions), str(d, "kind") + "/" + str(d, "id"));
  } else if (event.type == engine::links_updated) {
    const json::value* links = d.if_contains("links");
    if (!links || !links->is_object() || !event.subject) return;
    for (const auto& kv : links->get_object()) {
      if (!kv.value().is_string()) continue;
      std::string key = entity_prefix(kv.value().get_string());
      put_lenstr(key, kv.key());
      key += *event.subject;
      batch.put(cf(cf_linked_from), key, rocksdb::Slice());
    }
  } else if (event.type == engine::provider_event_received) {
    const std::string attempt = domain::json_fields::boolean(d, "orphan") ? std::string() : str(d, "attempt_id");
    if (!domain::json_fields::boolean(d, "raw_purged")) {
      // Raw provider payloads are kept for a while only (SPEC §7).
      const std::int64_t received = event.time ? domain::parse_rfc3339_ms(*event.time).value_or(0) : 0;
      batch.put(cf(cf_provider_event_expiry),
                fixed64be(static_cast<std::uint64_t>(received)) + dedup_key(event.source, event.id), attempt);
    }
    if (attempt.empty()) return;
    batch.put(cf(cf_provider_events), entity_prefix(attempt) + event.id, event.data);
  } else if (event.type == engine::preferences_updated) {
    const json::value* prefs = d.if_contains("preferences");
    if (!prefs || !prefs->is_object() || !event.subject || event.subject->empty()) return;
    holds_preferences_.store(true);  // before the write is visible: readers look from now on
    batch.put(cf(cf_preferences), *event.subject, json::serialize(*prefs));
  } else if (event.type == engine::task_updated) {
    const json::value* task = d.if_contains("task");
    if (!task || !task->is_object()) return;
    const json::object& t = task->get_object();
    const std::string id = str(t, "id");
    batch.put(cf(cf_tasks), id, json::serialize(t));
    const std::string open_key = fixed64be(static_cast<std::uint64_t>(time_ms(t, "created_at"))) + id;
    if (str(t, "status") == "task_open") {
      batch.put(cf(cf_open_tasks), open_key, rocksdb::Slice());
    } else {
      batch.erase(cf(cf_open_tasks), open_key);
    }
  }
}

}  // namespace herald::storage
