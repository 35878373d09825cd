// Retention of raw provider events (SPEC §7): the log keeps every event
// forever, but a provider's raw payload only for a while. Purging rewrites
// the event's log record with "raw": null and "raw_purged": true — the same
// seq, id and everything Herald read from it — and its provider_events view.

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

result<std::size_t> rocksdb_event_store::purge_provider_events(std::int64_t cutoff_ms) {
  const auto held = hold_db();
  auto expiry = handles_.find(cf_provider_event_expiry);
  if (expiry == handles_.end()) return std::size_t{0};
  const std::string end = fixed64be(static_cast<std::uint64_t>(std::max<std::int64_t>(cutoff_ms, 0)));
  std::size_t purged = 0;
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), expiry->second));
  for (it->SeekToFirst(); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    const std::string key = it->key().ToString();
    const std::string attempt = it->value().ToString();
    batch.Delete(expiry->second, key);
    std::string seq_bytes;
    auto st = db_->Get(rocksdb::ReadOptions(), cf(cf_dedup), key.substr(8), &seq_bytes);
    if (!st.ok() || seq_bytes.size() != 8) continue;  // nothing left to purge
    const std::uint64_t seq = get_fixed64be(seq_bytes);
    auto stored = read(seq);
    if (!stored) return stored.error();
    json::error_code ec;
    json::value data = json::parse(stored->event.data, ec);
    if (ec || !data.is_object()) continue;
    data.as_object()["raw"] = nullptr;
    data.as_object()["raw_purged"] = true;
    stored->event.data = json::serialize(data);
    std::string record;
    encode_record(*stored, record);
    batch.Put(cf(cf_log), log_key(seq), record);
    if (!attempt.empty()) batch.Put(cf(cf_provider_events), entity_prefix(attempt) + stored->event.id, stored->event.data);
    ++purged;
  }
  if (!it->status().ok()) return from_rocksdb(it->status(), "reading provider event expiries");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (auto st = db_->Write(wo, &batch); !st.ok()) return from_rocksdb(st, "purging raw provider events");
  return purged;
}

}  // namespace herald::storage
