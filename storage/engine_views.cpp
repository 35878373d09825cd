// Reads of the engine views of rocksdb_event_store (layouts: key_layout.hpp).
// Cursors handed out are index keys, hex-encoded so that they travel in URLs.

#include <boost/json.hpp>
#include <rocksdb/db.h>

#include "domain/communication.hpp"
#include "domain/hex.hpp"
#include "domain/json_fields.hpp"
#include "storage/coding.hpp"
#include "storage/iterator_pool.hpp"
#include "storage/key_layout.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "storage/rocksdb_status.hpp"
#include "storage/sorted_batch.hpp"

namespace herald::storage {
namespace {

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

const char* column_of(rocksdb_event_store::view_kind kind) {
  using v = rocksdb_event_store::view_kind;
  switch (kind) {
    case v::instance: return cf_instances;
    case v::attempt: return cf_attempts;
    case v::attempt_content: return cf_attempt_content;
    case v::communication: return cf_communications;
    case v::task: return cf_tasks;
    case v::preferences: return cf_preferences;
  }
  return cf_attempts;
}

// The member of a (ref) view's engine event data that holds the view.
const char* member_of(rocksdb_event_store::view_kind kind) {
  using v = rocksdb_event_store::view_kind;
  switch (kind) {
    case v::instance: return "instance";
    case v::attempt: return "attempt";
    case v::attempt_content: return "content";
    case v::communication: return "communication";
    case v::task:
    case v::preferences: break;
  }
  return "";
}

}  // namespace

result<std::optional<std::string>> rocksdb_event_store::get_value(const char* column, const std::string& key,
                                                                 const char* what) const {
  const auto held = hold_db();
  auto handle = handles_.find(column);
  if (handle == handles_.end()) {
    return std::optional<std::string>{};
  }
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions(), handle->second, key, &value);
  if (st.IsNotFound()) {
    return std::optional<std::string>{};
  }
  if (!st.ok()) {
    return from_rocksdb(st, what);
  }
  return std::optional<std::string>{std::move(value)};
}

result<std::optional<std::string>> rocksdb_event_store::stored_view(view_kind kind, const std::string& id) const {
  if (options_.faults && options_.faults->view_reads_fail()) {
    return status{errc::unavailable, "injected fault: reading a view failed"};
  }
  // Every send asks for its recipient's preferences; most stores hold none.
  if (kind == view_kind::preferences && !holds_preferences_.load()) return std::optional<std::string>{};
  return get_value(column_of(kind), id, "reading a view");
}

result<std::optional<std::string>> rocksdb_event_store::view(view_kind kind, const std::string& id) const {
  auto value = stored_view(kind, id);
  if (!value || !*value) return value;
  if (!view_ref_seq(**value) && kind != view_kind::communication) return value;  // the view's JSON itself
  auto json = view_json(kind, id, **value);
  if (!json) return json.error();
  if (!*json) return value;  // not JSON: as stored
  return std::optional<std::string>{boost::json::serialize(**json)};
}

result<std::optional<boost::json::value>> rocksdb_event_store::view_value(view_kind kind,
                                                                          const std::string& id) const {
  auto value = stored_view(kind, id);
  if (!value) return value.error();
  if (!*value) return std::optional<boost::json::value>{};
  auto json = view_json(kind, id, **value);
  if (json && !*json) return status{errc::corruption, "the stored view of " + id + " is not JSON"};
  return json;
}

result<std::optional<boost::json::value>> rocksdb_event_store::view_json(view_kind kind, const std::string& id,
                                                                         const std::string& stored, bool whole) const {
  boost::json::value view;
  if (const auto seq = view_ref_seq(stored)) {
    auto event = read(*seq);
    if (!event) return event.error();
    boost::json::error_code ec;
    boost::json::value data = boost::json::parse(event->event.data, ec);
    boost::json::value* member = !ec && data.is_object() ? data.get_object().if_contains(member_of(kind)) : nullptr;
    if (!member) {
      return status{errc::corruption, std::string("the ") + column_of(kind) + " view of '" + id +
                                          "' names event " + std::to_string(*seq) + ", which does not hold it"};
    }
    if (kind == view_kind::communication && member->is_object()) {
      const boost::json::value* carried = data.get_object().if_contains(member_of(view_kind::attempt));
      if (carried && carried->is_object()) domain::fill_from_carried_attempt(member->get_object(), carried->get_object());
    }
    const bool status_only = kind == view_kind::attempt && domain::json_fields::boolean(data.get_object(), "status_only");
    view = std::move(*member);
    if (status_only && whole) {
      if (auto st = complete_status_update(id, view); !st) return st;
    }
  } else {
    boost::json::error_code ec;
    view = boost::json::parse(stored, ec);
    if (ec) return std::optional<boost::json::value>{};
  }
  if (kind == view_kind::communication && view.is_object()) {
    // Written when its latest attempt was created; that attempt's status
    // updates are its latest status (engine_event.hpp).
    const boost::json::value* latest = view.get_object().if_contains("latest_attempt_id");
    if (latest && latest->is_string()) {
      const std::string attempt_id(latest->get_string());
      auto attempt_stored = get_value(cf_attempts, attempt_id, "reading a view");
      if (!attempt_stored) return attempt_stored.error();
      if (*attempt_stored) {
        auto attempt = view_json(view_kind::attempt, attempt_id, **attempt_stored, false);
        if (!attempt) return attempt.error();
        const boost::json::value* status =
            *attempt && (*attempt)->is_object() ? (*attempt)->get_object().if_contains("status") : nullptr;
        if (status && status->is_string()) view.get_object()["latest_status"] = *status;
      }
    }
  }
  return std::optional<boost::json::value>{std::move(view)};
}

status rocksdb_event_store::complete_status_update(const std::string& id, boost::json::value& update) const {
  auto content = get_value(cf_attempt_content, id, "reading a view");
  if (!content) return content.error();
  const auto seq = *content ? view_ref_seq(**content) : std::nullopt;
  // Content purged by a version that kept it as JSON instead of a
  // reference (retention.cpp): the created attempt cannot be found, so the
  // update is all there is to show.
  if (!seq) return status::ok();
  auto event = read(*seq);
  if (!event) return event.error();
  boost::json::error_code ec;
  boost::json::value data = boost::json::parse(event->event.data, ec);
  boost::json::value* created = !ec && data.is_object() ? data.get_object().if_contains("attempt") : nullptr;
  if (!created || !created->is_object() || !update.is_object()) {
    return status{errc::corruption, "the record of the content of attempt '" + id + "' (event " +
                                        std::to_string(*seq) + ") does not hold the attempt"};
  }
  domain::apply_status_update(created->get_object(), update.get_object());
  update = std::move(*created);
  return status::ok();
}

status rocksdb_event_store::scan_index(
    index_kind kind, const std::string& entity, const std::string& cursor,
    const std::function<bool(const std::string& id, const std::string& cursor)>& visit) const {
  const auto held = hold_db();
  const char* column = nullptr;
  std::string prefix;
  std::size_t id_offset = 0;  // where the id starts after the prefix
  switch (kind) {
    case index_kind::log: column = cf_log_index; id_offset = 8; break;
    case index_kind::open_tasks: column = cf_open_tasks; id_offset = 8; break;
    case index_kind::entity_log: column = cf_entity_log_index; prefix = entity_prefix(entity); id_offset = 8; break;
    case index_kind::entity_instances: column = cf_entity_instances; prefix = entity_prefix(entity); break;
    case index_kind::errored_instances: column = cf_errored_instances; id_offset = 8; break;
    case index_kind::status_group: {
      const char group = status_index_group(entity);
      if (!group) return status{errc::invalid_argument, "no status group " + entity, "status"};
      column = cf_status_log_index;
      prefix.assign(1, group);
      id_offset = 8;
      break;
    }
  }
  auto handle = handles_.find(column);
  if (handle == handles_.end()) {
    return status::ok();
  }
  std::string start = prefix;
  bool skip_first = false;
  if (!cursor.empty()) {
    auto key = from_hex(cursor);
    if (!key || key->compare(0, prefix.size(), prefix) != 0) {
      return status{errc::invalid_argument, "'cursor' is not a cursor this list handed out", "cursor"};
    }
    start = *key;
    skip_first = true;
  }
  const pooled_iterator it(*iterators_, *db_, handle->second);
  for (it->Seek(start); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (key.compare(0, prefix.size(), prefix) != 0) {
      break;
    }
    if (skip_first && key == start) {
      continue;
    }
    skip_first = false;
    if (key.size() < prefix.size() + id_offset) {
      return status{errc::corruption, std::string("malformed key in ") + column};
    }
    if (!visit(std::string(key.substr(prefix.size() + id_offset)), domain::to_hex(key))) {
      break;
    }
  }
  return it->status().ok() ? status::ok() : from_rocksdb(it->status(), std::string("scanning ") + column);
}

std::pair<rocksdb_event_store::index_kind, std::string> rocksdb_event_store::attempts_index(
    const std::string& entity, const std::string& status_group) {
  if (!entity.empty()) return {index_kind::entity_log, entity};
  if (!status_group.empty()) return {index_kind::status_group, status_group};
  return {index_kind::log, ""};
}

status rocksdb_event_store::scan_communications(
    const std::string& entity, const std::string& cursor,
    const std::function<bool(const std::string& id, boost::json::value view, const std::string& cursor)>& visit,
    const std::string& status_group) const {
  status failure;
  const auto [kind, within] = attempts_index(entity, status_group);
  auto st = scan_index(kind, within, cursor,
                       [&](const std::string& attempt_id, const std::string& resume) {
                         const std::string_view id = domain::communication_of_attempt(attempt_id);
                         if (id.empty()) return true;
                         auto view = view_value(view_kind::communication, std::string(id));
                         if (!view) {
                           failure = view.error();
                           return false;
                         }
                         // An earlier attempt: the communication is listed where its latest is.
                         const boost::json::value* latest =
                             *view && (*view)->is_object() ? (*view)->get_object().if_contains("latest_attempt_id")
                                                           : nullptr;
                         if (!latest || !latest->is_string() || latest->get_string() != attempt_id) return true;
                         return visit(std::string(id), std::move(**view), resume);
                       });
  if (!st) return st;
  return failure;
}

status rocksdb_event_store::scan_timers(
    std::int64_t up_to_ms, const std::string& cursor,
    const std::function<bool(const timer_entry&, const std::string&)>& visit) const {
  const auto held = hold_db();
  auto handle = handles_.find(cf_timers);
  if (handle == handles_.end()) {
    return status::ok();
  }
  std::string start;
  if (!cursor.empty()) {
    auto key = from_hex(cursor);
    if (!key) {
      return status{errc::invalid_argument, "'cursor' is not a cursor this list handed out", "cursor"};
    }
    start = *key;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle->second));
  for (it->Seek(start); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (!cursor.empty() && key == start) {
      continue;
    }
    auto parts = parse_timer_key(key);
    if (!parts) {
      return status{errc::corruption, "malformed timer key"};
    }
    if (parts->due_ms > up_to_ms) {
      break;
    }
    timer_entry t{parts->due_ms, std::move(parts->instance_id), parts->action, it->value().ToString()};
    if (!visit(t, domain::to_hex(key))) {
      break;
    }
  }
  return it->status().ok() ? status::ok() : from_rocksdb(it->status(), "scanning timers");
}

result<std::optional<std::string>> rocksdb_event_store::definition(const std::string& kind,
                                                                  const std::string& id) const {
  return get_value(cf_definitions, kind + "/" + id, "reading a definition");
}

status rocksdb_event_store::scan_definitions(
    const std::function<bool(const std::string&, const std::string&, const std::string&)>& visit) const {
  const auto held = hold_db();
  auto handle = handles_.find(cf_definitions);
  if (handle == handles_.end()) {
    return status::ok();
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle->second));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (key.find('@') != std::string::npos) {
      continue;  // a past version
    }
    const auto slash = key.find('/');
    if (slash == std::string::npos) {
      continue;
    }
    if (!visit(key.substr(0, slash), key.substr(slash + 1), it->value().ToString())) {
      break;
    }
  }
  return it->status().ok() ? status::ok() : from_rocksdb(it->status(), "scanning definitions");
}

result<std::optional<std::string>> rocksdb_event_store::definition_version(const std::string& kind,
                                                                          const std::string& id,
                                                                          std::uint64_t version) const {
  return get_value(cf_definitions, kind + "/" + id + "@" + fixed64be(version), "reading a definition version");
}

status rocksdb_event_store::linked_from(const std::string& target, const std::string& link,
                                        const std::function<bool(const std::string&)>& visit) const {
  const auto held = hold_db();
  auto handle = handles_.find(cf_linked_from);
  if (handle == handles_.end()) {
    return status::ok();
  }
  std::string prefix = entity_prefix(target);
  put_lenstr(prefix, link);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle->second));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!visit(it->key().ToString().substr(prefix.size()))) {
      break;
    }
  }
  return it->status().ok() ? status::ok() : from_rocksdb(it->status(), "reading reverse links");
}

status rocksdb_event_store::provider_events(const std::string& attempt_id,
                                            const std::function<void(const std::string&)>& visit) const {
  const auto held = hold_db();
  auto handle = handles_.find(cf_provider_events);
  if (handle == handles_.end()) {
    return status::ok();
  }
  const std::string prefix = entity_prefix(attempt_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle->second));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    visit(it->value().ToString());
  }
  return it->status().ok() ? status::ok() : from_rocksdb(it->status(), "reading provider events");
}

status rocksdb_event_store::index_attempt_statuses() {
  auto done = get_value("default", meta_status_index_key, "reading the status index's marker");
  if (!done) return done.error();
  if (*done) return status::ok();
  sorted_writes writes;
  batch_bytes bytes;
  const char* what = "indexing the attempts' statuses";
  {
    // At open, before anything else uses the store: view_value holds the DB itself.
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(cf_attempts)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string id = it->key().ToString();
      auto view = view_value(view_kind::attempt, id);
      if (!view) return view.error();
      if (!*view || !(*view)->is_object()) continue;
      const auto& a = (*view)->get_object();
      project_status_group(id, domain::json_fields::str(a, "status"), domain::json_fields::time_ms(a, "created_at"),
                           writes);
      if (writes.size() >= 10000) {
        if (auto st = write_sorted(writes, bytes, what); !st) return st;
      }
    }
    if (!it->status().ok()) return from_rocksdb(it->status(), "reading the attempts to index their statuses");
  }
  if (auto st = write_sorted(writes, bytes, what); !st) return st;
  rocksdb::WriteOptions synced;
  synced.sync = true;
  auto st = db_->Put(synced, cf("default"), meta_status_index_key, rocksdb::Slice());
  return st.ok() ? status::ok() : from_rocksdb(st, "marking the status index complete");
}

result<std::uint64_t> rocksdb_event_store::engine_checkpoint() const {
  auto value = get_value("default", meta_engine_checkpoint_key, "reading the engine checkpoint");
  if (!value) {
    return value.error();
  }
  if (!*value) {
    return std::uint64_t{0};
  }
  if ((*value)->size() != 8) {
    return status{errc::corruption, "the engine checkpoint is malformed"};
  }
  return get_fixed64be(**value);
}

status rocksdb_event_store::set_engine_checkpoint(std::uint64_t seq) {
  const auto held = hold_db();
  auto st = db_->Put(rocksdb::WriteOptions(), cf("default"), meta_engine_checkpoint_key, fixed64be(seq));
  return st.ok() ? status::ok() : from_rocksdb(st, "writing the engine checkpoint");
}

}  // namespace herald::storage
