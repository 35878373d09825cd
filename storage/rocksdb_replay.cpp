// Projection rebuild and column dumps of rocksdb_event_store: the parts used
// by `herald replay` and by tests, kept apart from the append path.
// A full replay rebuilds every projection; a ranged or per-entity replay
// re-applies the dedup index and entity history only, since engine views
// hold the newest state of each object and an older event must not
// overwrite it.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/iterator_pool.hpp"
#include "storage/key_layout.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "storage/rocksdb_status.hpp"
#include "storage/sorted_batch.hpp"

namespace herald::storage {
namespace {
constexpr std::size_t replay_batch_events = 5000;
}

status rocksdb_event_store::recreate_column(const char* name) {
  // Kept iterators over the family being dropped would hold its old data.
  iterators_->clear();
  rocksdb::ColumnFamilyHandle* old = handles_.at(name);
  rocksdb::ColumnFamilyDescriptor descriptor;
  if (auto st = old->GetDescriptor(&descriptor); !st.ok()) {
    return from_rocksdb(st, std::string("describing column family ") + name);
  }
  if (auto st = db_->DropColumnFamily(old); !st.ok()) {
    return from_rocksdb(st, std::string("dropping column family ") + name);
  }
  db_->DestroyColumnFamilyHandle(old);
  rocksdb::ColumnFamilyHandle* fresh = nullptr;
  if (auto st = db_->CreateColumnFamily(descriptor.options, name, &fresh); !st.ok()) {
    handles_.erase(name);
    index_handles();
    return from_rocksdb(st, std::string("creating column family ") + name);
  }
  handles_[name] = fresh;
  index_handles();
  return status::ok();
}

status rocksdb_event_store::write_sorted(sorted_writes& writes, batch_bytes& bytes, const char* what) {
  if (writes.size() == 0) {
    return status::ok();
  }
  writes.append_to(bytes);
  rocksdb::WriteBatch batch = bytes.finish();
  auto st = db_->Write(rocksdb::WriteOptions(), &batch);
  bytes = batch_bytes(batch_bytes::reclaim(std::move(batch)));
  return st.ok() ? status::ok() : from_rocksdb(st, what);
}

status rocksdb_event_store::rebuild_projections(const replay_options& options) {
  if (options_.read_only) {
    return status{errc::unavailable, "replay needs the data folder open read-write"};
  }
  const scan_filter& f = options.filter;
  const bool ranged = f.from_seq > 1 || f.to_seq != UINT64_MAX || f.from_ms || f.to_ms;
  if (!ranged && !f.entity) {
    for (const char* name : projection_columns) {
      if (auto st = recreate_column(name); !st) {
        return st;
      }
    }
  } else if (!ranged && f.entity) {
    rocksdb::WriteBatch clear;
    const std::string prefix = entity_history_prefix(*f.entity);
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(cf_entity_history)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      clear.Delete(cf(cf_entity_history), it->key());
    }
    if (auto st = db_->Write(rocksdb::WriteOptions(), &clear); !st.ok()) {
      return from_rocksdb(st, "clearing the projections of " + *f.entity);
    }
  }

  sorted_writes writes;
  batch_bytes bytes;
  std::uint64_t applied = 0;
  std::uint64_t current = 0;
  status failure;
  auto flush = [&] { return write_sorted(writes, bytes, "writing rebuilt projections"); };
  auto st = scan(f, [&](const stored_event& e) {
    current = e.seq;
    project(e.seq, e.kind, e.event, writes, /*engine_views=*/!ranged && !f.entity);
    if (++applied % replay_batch_events == 0) {
      if (auto w = flush(); !w) {
        failure = w;
        return false;
      }
      if (options.progress) {
        options.progress(applied, current, last_seq_);
      }
    }
    return true;
  });
  if (!st) {
    return st;
  }
  if (!failure) {
    return failure;
  }
  if (auto w = flush(); !w) {
    return w;
  }
  if (auto s = db_->FlushWAL(true); !s.ok()) {
    return from_rocksdb(s, "syncing rebuilt projections");
  }
  if (options.progress) {
    options.progress(applied, current, last_seq_);
  }
  return status::ok();
}

result<std::vector<std::pair<std::string, std::string>>> rocksdb_event_store::dump_column(
    const std::string& name) const {
  const auto held = hold_db();
  auto found = handles_.find(name);
  if (found == handles_.end()) {
    return status{errc::not_found, "no column family '" + name + "'"};
  }
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), found->second));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  if (!it->status().ok()) {
    return from_rocksdb(it->status(), "dumping column family " + name);
  }
  return out;
}

}  // namespace herald::storage
