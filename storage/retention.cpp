// Retention (SPEC §7): the log keeps every event forever, but a provider's
// raw payload and a message's attachments only for a while. Purging
// rewrites the event's log record — the same seq, id and everything else —
// and the view projected from it: a provider event gets "raw": null and
// "raw_purged": true; an attachment keeps its name and type, its body
// becomes null with "purged": true.

#include <boost/json.hpp>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "domain/json_fields.hpp"
#include "storage/coding.hpp"
#include "storage/key_layout.hpp"
#include "storage/record_codec.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "storage/rocksdb_status.hpp"

namespace json = boost::json;

namespace herald::storage {

// Walks an expiry column (expiry_ms:fixed64be (seq:fixed64be | dedup_key) ->
// attempt_id) up to
// `cutoff_ms`; for each entry still in the log, `rewrite` changes the event's
// data JSON (false: nothing to do) and says which view entry to put. The log
// records, views and expiry deletions go in one synced batch.
result<std::size_t> rocksdb_event_store::purge_expired(const char* expiry_column, std::int64_t cutoff_ms,
                                                       const char* what, const purge_rewrite& rewrite) {
  const auto held = hold_db();
  auto expiry = handles_.find(expiry_column);
  if (expiry == handles_.end()) return std::size_t{0};
  const std::string end = fixed64be(static_cast<std::uint64_t>(std::max<std::int64_t>(cutoff_ms, 0)));
  std::size_t purged = 0;
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), expiry->second));
  for (it->SeekToFirst(); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    const std::string key = it->key().ToString();
    const std::string attempt = it->value().ToString();
    batch.Delete(expiry->second, key);
    // 16 bytes: the seq itself. A dedup key is longer: these entries name
    // records Herald wrote, attempts (source "herald", 7 bytes with its
    // length, ids "e-..." from next_event_id) and provider events (source
    // "herald/webhooks/<provider>").
    std::string seq_bytes = key.substr(8);
    if (key.size() != 16) {
      auto st = db_->Get(rocksdb::ReadOptions(), cf(cf_dedup), key.substr(8), &seq_bytes);
      if (!st.ok() || seq_bytes.size() != 8) continue;  // nothing left to purge
    }
    const std::uint64_t seq = get_fixed64be(seq_bytes);
    auto stored = read_held(seq);
    if (!stored) return stored.error();
    json::error_code ec;
    json::value data = json::parse(stored->event.data, ec);
    purged_view view;
    if (ec || !data.is_object() || !rewrite(data, attempt, stored->event.id, view)) continue;
    stored->event.data = json::serialize(data);
    std::string record;
    encode_record(*stored, record);
    batch.Put(cf(cf_log), log_key(seq), record);
    // A view that refers to the record reads the rewritten one; only a view
    // kept as JSON is rewritten. (An attempt's content must stay a
    // reference: its status updates are completed from that record.)
    if (view.column) {
      std::string current;
      const bool refers = db_->Get(rocksdb::ReadOptions(), cf(view.column), view.key, &current).ok() &&
                          view_ref_seq(current).has_value();
      if (!refers) batch.Put(cf(view.column), view.key, view.value);
    }
    ++purged;
  }
  if (!it->status().ok()) return from_rocksdb(it->status(), std::string("reading expiries for ") + what);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (auto st = db_->Write(wo, &batch); !st.ok()) return from_rocksdb(st, std::string("purging ") + what);
  return purged;
}

result<std::size_t> rocksdb_event_store::purge_provider_events(std::int64_t cutoff_ms) {
  return purge_expired(cf_provider_event_expiry, cutoff_ms, "raw provider events",
                       [](json::value& data, const std::string& attempt, const std::string& event_id,
                          purged_view& view) {
                         data.as_object()["raw"] = nullptr;
                         data.as_object()["raw_purged"] = true;
                         if (!attempt.empty()) {
                           view = {cf_provider_events, entity_prefix(attempt) + event_id, json::serialize(data)};
                         }
                         return true;
                       });
}

result<std::size_t> rocksdb_event_store::purge_attachments(std::int64_t cutoff_ms) {
  return purge_expired(cf_attachment_expiry, cutoff_ms, "attachments",
                       [](json::value& data, const std::string& attempt, const std::string&, purged_view& view) {
                         json::value* content = data.as_object().if_contains("content");
                         json::value* attachments =
                             content && content->is_object() ? content->as_object().if_contains("attachments") : nullptr;
                         if (!attachments || !attachments->is_array()) return false;
                         for (auto& a : attachments->as_array()) {
                           if (!a.is_object()) continue;
                           a.as_object()["body"] = nullptr;
                           a.as_object()["purged"] = true;
                         }
                         view = {cf_attempt_content, attempt, json::serialize(*content)};
                         return true;
                       });
}

}  // namespace herald::storage
