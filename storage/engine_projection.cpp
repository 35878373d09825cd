// Projection of engine events into the engine views (layouts in
// key_layout.hpp). Engine events carry the new state of their object, so
// each update is a put of a reference to the event (the log holds the
// state) plus its index keys; nothing is read.

#include <boost/json.hpp>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "domain/engine_event.hpp"
#include "domain/json_fields.hpp"
#include "domain/rfc3339.hpp"
#include "domain/scratch_json.hpp"
#include "storage/coding.hpp"
#include "storage/key_layout.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace json = boost::json;
using herald::domain::json_fields::i64;
using herald::domain::json_fields::str;

namespace herald::storage {
namespace {

std::int64_t time_ms(const json::object& o, const char* key) {
  return domain::parse_rfc3339_ms(str(o, key)).value_or(0);
}

}  // namespace

void rocksdb_event_store::project_engine_event(std::uint64_t seq, const domain::cloud_event& event,
                                               rocksdb::WriteBatch& batch) const {
  const std::string ref = view_ref(seq);
  const domain::scratch_json data(event.data);  // only read: strings and numbers are copied out
  if (!data.ok() || !data.value().is_object()) {
    return;  // engine events are written by Herald; a malformed one has no view
  }
  const json::object& d = data.value().get_object();
  namespace engine = domain::engine;

  if (event.type == engine::definition_put) {
    const std::string name = str(d, "kind") + "/" + str(d, "id");
    batch.Put(cf(cf_definitions), name, event.data);
    const json::value* body = d.if_contains("body");
    batch.Put(cf(cf_definitions), name + "@" + fixed64be(static_cast<std::uint64_t>(i64(d, "version"))),
              body ? json::serialize(*body) : std::string("null"));
  } else if (event.type == engine::definition_deleted) {
    batch.Delete(cf(cf_definitions), str(d, "kind") + "/" + str(d, "id"));
  } else if (event.type == engine::instance_updated) {
    const json::value* view = d.if_contains("instance");
    if (!view || !view->is_object()) return;
    const std::string id = str(view->get_object(), "id");
    const std::string entity = str(view->get_object(), "entity");
    {
      std::lock_guard<std::mutex> lock(metrics_mutex_);
      ++metrics_.instance_records[str(view->get_object(), "state")];
    }
    batch.Put(cf(cf_instances), id, ref);
    // Whether this is the instance's first record or a later one; records
    // written before the engine said so may be either.
    const json::value* created = d.if_contains("created");
    const bool said = created && created->is_bool();
    const bool first = !said || created->get_bool();
    const bool later = !said || !created->get_bool();
    // Created-at keys are stable, so leaving the errored state deletes the
    // key (a first record has none to delete).
    const std::string error_key = newest_first(time_ms(view->get_object(), "created_at")) + id;
    if (str(view->get_object(), "state") == "errored") {
      batch.Put(cf(cf_errored_instances), error_key, rocksdb::Slice());
    } else if (later) {
      batch.Delete(cf(cf_errored_instances), error_key);
    }
    if (first) batch.Put(cf(cf_entity_instances), entity_prefix(entity) + id, rocksdb::Slice());
    for (auto [list, add] : {std::pair{"timers_remove", false}, std::pair{"timers_add", true}}) {
      const json::value* timers = d.if_contains(list);
      if (!timers || !timers->is_array()) continue;
      for (const auto& t : timers->get_array()) {
        if (!t.is_object()) continue;
        const std::string key = timer_key(i64(t.get_object(), "due"), id, static_cast<int>(i64(t.get_object(), "action")));
        if (add) {
          batch.Put(cf(cf_timers), key, entity);
        } else {
          batch.Delete(cf(cf_timers), key);
        }
      }
    }
  } else if (event.type == engine::attempt_updated) {
    const json::value* attempt = d.if_contains("attempt");
    if (!attempt || !attempt->is_object()) return;
    const json::object& a = attempt->get_object();
    const std::string attempt_id = str(a, "id");
    const std::string mapped_to = str(a, "mapped_to");
    const std::int64_t created = time_ms(a, "created_at");
    {
      std::lock_guard<std::mutex> lock(metrics_mutex_);
      ++metrics_.attempt_records[{str(a, "channel"), str(a, "status")}];
    }
    batch.Put(cf(cf_attempts), attempt_id, ref);
    if (str(a, "status") == "queued") {
      batch.Put(cf(cf_queued_attempts), attempt_id, event.subject.value_or(""));
    } else {
      batch.Delete(cf(cf_queued_attempts), attempt_id);
      if (started_calls_.erase(attempt_id)) batch.Delete(cf(cf_calls_started), attempt_id);
    }
    if (const json::value* content = d.if_contains("content")) {
      batch.Put(cf(cf_attempt_content), attempt_id, ref);
      const json::value* attachments = content->is_object() ? content->get_object().if_contains("attachments") : nullptr;
      if (attachments && attachments->is_array() && !attachments->get_array().empty()) {
        // The record is found again by its seq, or for an event with a
        // dedup entry (not unique_id) by its (source, id).
        batch.Put(cf(cf_attachment_expiry),
                  fixed64be(static_cast<std::uint64_t>(std::max<std::int64_t>(created, 0))) +
                      (event.unique_id ? fixed64be(seq) : dedup_key(event.source, event.id)),
                  attempt_id);
      }
    }
    // The communication, and index keys that derive from what an attempt is
    // created with (its id, owner, creation time), come with the event that
    // creates it; a status update leaves them as they are.
    const json::value* comm = d.if_contains("communication");
    if (!comm || !comm->is_object()) return;
    const json::object& c = comm->get_object();
    const std::string comm_id = str(c, "id");
    batch.Put(cf(cf_communications), comm_id, ref);
    batch.Put(cf(cf_log_index), newest_first(created) + attempt_id, rocksdb::Slice());
    batch.Put(cf(cf_entity_log_index), entity_prefix(mapped_to) + newest_first(created) + attempt_id,
              rocksdb::Slice());
    batch.Put(cf(cf_entity_communications), entity_prefix(mapped_to) + comm_id, rocksdb::Slice());
    if (d.contains("communication_previous_at")) {
      batch.Delete(cf(cf_communication_index), newest_first(i64(d, "communication_previous_at")) + comm_id);
    }
    batch.Put(cf(cf_communication_index), newest_first(time_ms(c, "last_attempt_at")) + comm_id,
              rocksdb::Slice());
  } else if (event.type == engine::links_updated) {
    const json::value* links = d.if_contains("links");
    if (!links || !links->is_object() || !event.subject) return;
    for (const auto& kv : links->get_object()) {
      if (!kv.value().is_string()) continue;
      std::string key = entity_prefix(kv.value().get_string());
      put_lenstr(key, kv.key());
      key += *event.subject;
      batch.Put(cf(cf_linked_from), key, rocksdb::Slice());
    }
  } else if (event.type == engine::provider_event_received) {
    const std::string attempt = domain::json_fields::boolean(d, "orphan") ? std::string() : str(d, "attempt_id");
    if (!domain::json_fields::boolean(d, "raw_purged")) {
      // Raw provider payloads are kept for a while only (SPEC §7).
      const std::int64_t received = event.time ? domain::parse_rfc3339_ms(*event.time).value_or(0) : 0;
      batch.Put(cf(cf_provider_event_expiry),
                fixed64be(static_cast<std::uint64_t>(received)) + dedup_key(event.source, event.id), attempt);
    }
    if (attempt.empty()) return;
    batch.Put(cf(cf_provider_events), entity_prefix(attempt) + event.id, event.data);
  } else if (event.type == engine::preferences_updated) {
    const json::value* prefs = d.if_contains("preferences");
    if (!prefs || !prefs->is_object() || !event.subject || event.subject->empty()) return;
    batch.Put(cf(cf_preferences), *event.subject, json::serialize(*prefs));
  } else if (event.type == engine::task_updated) {
    const json::value* task = d.if_contains("task");
    if (!task || !task->is_object()) return;
    const json::object& t = task->get_object();
    const std::string id = str(t, "id");
    batch.Put(cf(cf_tasks), id, json::serialize(t));
    const std::string open_key = fixed64be(static_cast<std::uint64_t>(time_ms(t, "created_at"))) + id;
    if (str(t, "status") == "task_open") {
      batch.Put(cf(cf_open_tasks), open_key, rocksdb::Slice());
    } else {
      batch.Delete(cf(cf_open_tasks), open_key);
    }
  }
}

}  // namespace herald::storage
