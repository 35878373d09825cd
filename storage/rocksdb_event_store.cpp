#include "storage/rocksdb_event_store.hpp"

#include <cassert>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "domain/entity_record.hpp"
#include "storage/batch_bytes.hpp"
#include "storage/bytewise_comparator.hpp"
#include "storage/bytewise_memtable.hpp"
#include "storage/hashed_memtable.hpp"
#include "storage/coding.hpp"
#include "storage/iterator_pool.hpp"
#include "storage/key_layout.hpp"
#include "storage/record_codec.hpp"
#include "storage/rocksdb_perf.hpp"
#include "storage/rocksdb_status.hpp"
#include "storage/sorted_batch.hpp"
#include "storage/writer_arena.hpp"

namespace herald::storage {
namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Adds what `from` counted to `to` (not whether writes are stopped now).
void add_stall_counts(write_stall_totals& to, const write_stall_totals& from) {
  to.delays += from.delays;
  to.stops += from.stops;
  to.seconds += from.seconds;
}

// The families whose keys are ids made by hashing (attempt and
// communication ids) and which are read by key: a scan of one (a restart's
// queued attempts, a replay's check) is rare.
bool hashed_keys(const std::string& name) {
  return name == cf_attempts || name == cf_attempt_content || name == cf_communications || name == cf_queued_attempts;
}

rocksdb::ColumnFamilyOptions column_options(const std::string& name, const std::shared_ptr<rocksdb::Cache>& cache,
                                           std::size_t memtable_bytes) {
  rocksdb::ColumnFamilyOptions o;
  o.comparator = bytewise_comparator();  // RocksDB's order, compared inline (bytewise_comparator.hpp)
  // Small memtables: the shared budget (db_write_buffer_size) flushes the
  // largest one when the sum is reached, so no family waits for 64 MiB.
  o.write_buffer_size = memtable_bytes;
  // A third memtable to write into while two wait for their flush: with
  // two, a family whose flush waits behind others (a full WAL flushes every
  // family at once) stops every write until it is done, ≈ 300 ms in a
  // 100,000-event burst (the LOG's "Stopping writes").
  o.max_write_buffer_number = 3;
  // A skip list comparing keys inline, which starts each insert from where
  // the last one went: the sequencer sorts each chunk's keys
  // (sorted_batch.hpp), so the next key is near (bytewise_memtable.hpp).
  o.memtable_factory = bytewise_memtable_factory();
  if (hashed_keys(name)) {
    // Keys that are hashes, read by key: buckets, not a list (hashed_memtable.hpp).
    o.memtable_factory = hashed_memtable_factory(hashed_memtable_buckets(memtable_bytes));
  }
  if (name == cf_dedup) {
    // Nearly every lookup is of a new event's (source, id), which no
    // memtable holds: a bloom filter of whole keys answers it.
    o.memtable_whole_key_filtering = true;
    o.memtable_prefix_bloom_size_ratio = 0.02;
  }
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  if (name != cf_log) {
    // Point lookups (dedup, heads) mostly miss or hit recent data: a bloom
    // filter keeps a miss off the disk.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  // 64 KiB blocks, not RocksDB's 4: for every block it compresses, RocksDB
  // has LZ4 set up (zero) a 16 KiB stream state and sizes (zero-fills) its
  // output, which with 4 KiB blocks cost half as much as the compression
  // itself, and with 16 KiB still almost half (bench/HISTORY.md, sessions 15
  // and 17). Larger blocks also make a smaller index; a point read
  // decompresses more, but restores read an entity's records, which lie
  // near each other in the log, and got faster (pipeline_bench --only timers).
  table.block_size = 64u << 10;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  o.compression = rocksdb::kLZ4Compression;
  return o;
}

// Families an earlier version wrote and none reads now (key_layout.hpp):
// an upgraded store lets them go on its first read-write open rather than
// keep their files for good. Only in a folder already known to be Herald's.
// Failing to drop one is harmless: it stays, unread, and the next open tries again.
void drop_retired_columns(rocksdb::DB& db, column_handles& handles) {
  for (const char* retired : retired_columns) {
    const auto it = handles.find(std::string_view(retired));
    if (it == handles.end() || !db.DropColumnFamily(it->second).ok()) continue;
    (void)db.DestroyColumnFamilyHandle(it->second);
    handles.erase(it);
  }
}

bool folder_is_empty(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_empty(p, ec) || ec;
}

}  // namespace

// Opens RocksDB over the data folder with every column family Herald uses.
status rocksdb_event_store::open_db(const store_options& options, rocksdb::Env* env, rocksdb::DB** db,
                                    column_handles* handles) {
  rocksdb::Options db_options;
  if (env) {
    db_options.env = env;
  }
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.IncreaseParallelism(2);
  // One committer writes; the memtable (bytewise_memtable.hpp) takes one
  // inserting thread at a time.
  db_options.allow_concurrent_memtable_write = false;
  // Two flushes at once and one compaction. A flush is mostly waiting (at
  // low CPU priority, and for its file's syncs: ≈ 4 times its CPU time in
  // wall time under load), so a second one costs little CPU, and the log
  // family's flush no longer queues behind the small families' flushes a
  // full WAL starts together.
  db_options.max_background_flushes = 2;
  db_options.max_background_compactions = 1;
  db_options.keep_log_file_num = 4;
  // A write-ahead log file is kept until every column family with data in
  // it has flushed. Families written rarely (definitions, tasks) would keep
  // every file since their last write: RocksDB's default bound is four times
  // all write buffers (GiBs here), all replayed after a crash. Past this
  // bound the families holding the oldest file are flushed.
  db_options.max_total_wal_size = 2 * options.memtable_budget_bytes;
  db_options.db_write_buffer_size = options.memtable_budget_bytes;
  // Flushes and compactions yield the CPU to the pipeline: on two cores a
  // flush at equal priority takes one of them from the workflow steps for
  // its duration, and their latency shows it (see pipeline_bench).
  (void)db_options.env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::HIGH, rocksdb::CpuPriority::kLow);
  (void)db_options.env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kLow);
  db_options.bytes_per_sync = 512u << 10;
  const auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);

  std::vector<std::string> names;
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(options.path) / "CURRENT", ec)) {
    auto st = rocksdb::DB::ListColumnFamilies(db_options, options.path, &names);
    if (!st.ok()) {
      return from_rocksdb(st, "listing column families of '" + options.path + "'");
    }
  }
  std::vector<std::string> required = {"default", cf_log, cf_calls_started};
  required.insert(required.end(), std::begin(projection_columns), std::end(projection_columns));
  for (const auto& name : required) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      if (options.read_only) {
        // An older store opened for reading: the view is simply empty.
        continue;
      }
      names.push_back(name);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) {
    descriptors.emplace_back(n, column_options(n, cache, std::max<std::size_t>(options.memtable_budget_bytes / 4, 4u << 20)));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handle_list;
  rocksdb::Status st =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors, &handle_list, db)
          : rocksdb::DB::Open(db_options, options.path, descriptors, &handle_list, db);
  if (!st.ok()) {
    return from_rocksdb(st, "opening data folder '" + options.path + "'");
  }
  for (auto* h : handle_list) {
    (*handles)[h->GetName()] = h;
  }
  return status::ok();
}

result<std::unique_ptr<rocksdb_event_store>> rocksdb_event_store::open(store_options options) {
  namespace fs = std::filesystem;
  if (!options.clock_ms) {
    options.clock_ms = system_now_ms;
  }
  const fs::path path(options.path);
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (exists && !fs::is_directory(path, ec)) {
    return status{errc::invalid_argument, "data folder '" + options.path + "' is not a folder",
                  "data_dir"};
  }
  if (exists && !fs::exists(path / "CURRENT", ec) && !folder_is_empty(path)) {
    return status{errc::invalid_argument,
                  "data folder '" + options.path +
                      "' is not empty and holds no Herald store; refusing to use it",
                  "data_dir"};
  }
  if (!exists) {
    if (options.read_only) {
      return status{errc::not_found, "data folder '" + options.path + "' does not exist",
                    "data_dir"};
    }
    fs::create_directories(path, ec);
    if (ec) {
      return status{errc::io_error,
                    "cannot create data folder '" + options.path + "': " + ec.message(),
                    "data_dir"};
    }
  }

  std::unique_ptr<rocksdb::Env> env;
  if (options.faults) {
    env = make_faulty_env(options.faults);
  }
  rocksdb::DB* db = nullptr;
  column_handles handles;
  if (auto opened = open_db(options, env.get(), &db, &handles); !opened) {
    return opened;
  }
  // A store is ours only if it carries our format marker; a fresh one gets it.
  std::string marker;
  rocksdb::Status st = db->Get(rocksdb::ReadOptions(), handles["default"], meta_format_key, &marker);
  status problem;
  if (st.IsNotFound() && !options.read_only) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    // A fresh store: its status index is complete from the start (no
    // attempts to index at open, index_attempt_statuses).
    rocksdb::WriteBatch fresh;
    fresh.Put(handles["default"], meta_format_key, format_marker());
    fresh.Put(handles["default"], meta_status_index_key, rocksdb::Slice());
    st = db->Write(wo, &fresh);
    if (!st.ok()) {
      problem = from_rocksdb(st, "writing the format marker");
    }
  } else if (!st.ok()) {
    problem = st.IsNotFound() ? status{errc::invalid_argument,
                                       "'" + options.path + "' is not a Herald data folder",
                                       "data_dir"}
                              : from_rocksdb(st, "reading the format marker");
  } else if (marker != format_marker()) {
    problem = status{errc::invalid_argument,
                     "'" + options.path + "' holds a store of another format or program",
                     "data_dir"};
  }
  if (!problem.is_ok()) {
    for (auto& [name, h] : handles) {
      db->DestroyColumnFamilyHandle(h);
    }
    delete db;
    return problem;
  }
  if (!options.read_only) drop_retired_columns(*db, handles);
  const bool writable = !options.read_only;
  std::unique_ptr<rocksdb_event_store> store(
      new rocksdb_event_store(std::move(options), std::move(env), db, std::move(handles)));
  if (writable) {
    if (auto indexed = store->index_attempt_statuses(); !indexed) return indexed;
  }
  return store;
}

// One group on its way from the sequencer to the committer.
struct rocksdb_event_store::prepared_group {
  std::uint64_t id = 0;
  std::vector<pending_append> appends;
  std::vector<append_outcome> outcomes;
  std::vector<status> refused;  // per append: its chain was broken (it is not in the batch)
  batch_bytes writes;           // while the sequencer builds it
  rocksdb::WriteBatch batch;    // from its hand-over to the committer on
  std::uint64_t first_seq = 0;  // the group holds [first_seq, end_seq)
  std::uint64_t end_seq = 0;
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  status failure;
  std::chrono::steady_clock::time_point started;
};

rocksdb_event_store::rocksdb_event_store(store_options options, std::unique_ptr<rocksdb::Env> env,
                                         rocksdb::DB* db,
                                         column_handles handles)
    : options_(std::move(options)),
      env_(std::move(env)),
      db_(db),
      handles_(std::move(handles)),
      iterators_(std::make_unique<iterator_pool>()) {
  index_handles();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(cf_log)));
  it->SeekToLast();
  if (it->Valid() && it->key().size() == 8) {
    last_seq_ = get_fixed64be(std::string_view(it->key().data(), 8));
  }
  next_seq_ = last_seq_ + 1;
  last_sync_ms_ = options_.clock_ms();
  std::unique_ptr<rocksdb::Iterator> started(db_->NewIterator(rocksdb::ReadOptions(), cf(cf_calls_started)));
  for (started->SeekToFirst(); started->Valid(); started->Next()) started_calls_.insert(started->key().ToString());
  if (handles_.count(cf_preferences)) {  // a store opened read-only may predate the family
    std::unique_ptr<rocksdb::Iterator> preferences(db_->NewIterator(rocksdb::ReadOptions(), cf(cf_preferences)));
    preferences->SeekToFirst();
    holds_preferences_ = preferences->Valid() || !preferences->status().ok();
  }
  if (!options_.read_only) {
    committer_ = std::thread([this] {
      skip_rocksdb_perf_counts_on_this_thread();
      (void)use_arena_on_this_thread(writer_arena());  // memtables reuse their memory (writer_arena.hpp)
      committer_loop();
    });
    sequencer_ = std::thread([this] {
      skip_rocksdb_perf_counts_on_this_thread();
      (void)use_arena_on_this_thread(writer_arena());  // its batches reuse their memory (writer_arena.hpp)
      sequencer_loop();
    });
  }
}

rocksdb_event_store::~rocksdb_event_store() {
  stop();
  if (!options_.read_only && !write_failed_) {
    db_->FlushWAL(true);  // after a failed write RocksDB's WAL writer must not be touched again
  }
  iterators_->clear();
  for (auto& [name, h] : handles_) {
    db_->DestroyColumnFamilyHandle(h);
  }
  db_->Close();
  delete db_;
}

void rocksdb_event_store::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  slot_cv_.notify_all();
  if (sequencer_.joinable()) {
    sequencer_.join();
  }
  if (committer_.joinable()) {
    committer_.join();
  }
}

void rocksdb_event_store::index_handles() {
  handles_by_constant_.fill({nullptr, nullptr});
  auto add = [this](const char* constant) {
    const auto found = handles_.find(std::string_view(constant));
    if (found == handles_.end()) return;
    for (std::size_t i = constant_slot(constant);; i = (i + 1) % constant_slots) {
      auto& slot = handles_by_constant_[i];
      if (slot.first == constant) return;  // named twice
      if (slot.first == nullptr) {
        slot = {constant, found->second};
        return;
      }
    }
  };
  // The families below: every projection column, the log and calls_started.
  static_assert(std::size(projection_columns) + 2 <= constant_slots / 2, "keep the table at most half full");
  for (const char* constant : {cf_log, cf_entity_history, cf_dedup, cf_calls_started}) add(constant);
  for (const char* constant : projection_columns) add(constant);
}

rocksdb::ColumnFamilyHandle* rocksdb_event_store::cf(const char* name) const {
  for (std::size_t i = constant_slot(name);; i = (i + 1) % constant_slots) {
    const auto& slot = handles_by_constant_[i];
    if (slot.first == name) return slot.second;
    if (slot.first == nullptr) break;
  }
  const auto found = handles_.find(std::string_view(name));
  if (found == handles_.end()) throw std::out_of_range(std::string("no column family ") + name);
  return found->second;
}

void rocksdb_event_store::append_async(domain::event_kind kind, event_batch events, append_callback done,
                                       std::shared_ptr<append_chain> chain) {
  enqueue(pending_append{kind, std::move(events), std::move(done), {}, std::move(chain)});
}

void rocksdb_event_store::mark_calls_started(std::vector<std::string> attempt_ids, append_callback done) {
  static const event_batch no_events = std::make_shared<const std::vector<domain::cloud_event>>();
  enqueue(pending_append{domain::event_kind::engine_event, no_events, std::move(done), std::move(attempt_ids), nullptr});
}

void rocksdb_event_store::enqueue(pending_append append) {
  if (options_.read_only) {
    append.done(status{errc::unavailable, "the store is open read-only"});
    return;
  }
  for (const auto& ev : *append.events) append.bytes += ev.data.size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queued_events_ += append.events->size();
      queue_.push_back(std::move(append));
      // An idle committer wants it now; a busy one lets a chunk gather.
      if (committer_waiting_ || queued_events_ >= chunk_events) queue_cv_.notify_one();
      return;
    }
  }
  append.done(status{errc::unavailable, "the store is shutting down"});
}

status rocksdb_event_store::scan_queued_attempts(
    const std::function<bool(const std::string& id, const std::string& owner, bool call_started)>& visit) const {
  const auto held = hold_db();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(cf_queued_attempts)));
  std::unique_ptr<rocksdb::Iterator> started(db_->NewIterator(rocksdb::ReadOptions(), cf(cf_calls_started)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    started->Seek(it->key());
    const bool call_started = started->Valid() && started->key() == it->key();
    if (!visit(it->key().ToString(), it->value().ToString(), call_started)) break;
  }
  if (!it->status().ok()) return from_rocksdb(it->status(), "scanning queued attempts");
  return started->status().ok() ? status::ok() : from_rocksdb(started->status(), "scanning started calls");
}

// Builds one group at a time and hands it over only when the committer
// waits for it: what arrives while a group is written joins the next group
// instead of a third, so an append waits for at most two commits.
void rocksdb_event_store::sequencer_loop() {
  std::unique_ptr<prepared_group> building;
  bool hand_over_next = false;  // taken for a waiting committer: hand over before taking more
  for (;;) {
    std::vector<pending_append> appends;
    std::size_t events = 0;
    // The committer's finished groups, destroyed once a hand-over is done
    // (outside the lock, while the committer writes: never between a
    // prepared chunk and the hand-over a waiting committer needs).
    std::vector<std::unique_ptr<prepared_group>> retired;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A group stops growing at max_group_events or max_group_bytes, once
      // it failed, or once a write failed (it will fail too: nothing more
      // should join it).
      auto closed = [&] {
        return building && (building->accepted + building->duplicates >= options_.max_group_events ||
                            building->writes.size() >= options_.max_group_bytes ||
                            !building->failure.is_ok() || reset_needed_);
      };
      // While the committer writes, appends are prepared a chunk at a time
      // (not one wake-up each); once it waits, whatever is queued.
      auto worth_taking = [&] {
        return !queue_.empty() && !closed() && (committer_waiting_ || queued_events_ >= chunk_events || stopping_);
      };
      auto can_hand_over = [&] { return building && committer_waiting_ && !ready_; };
      queue_cv_.wait(lock, [&] {
        return worth_taking() || can_hand_over() || (stopping_ && queue_.empty() && !building);
      });
      if (can_hand_over() && (hand_over_next || !worth_taking())) {
        building->batch = building->writes.finish();
        building->started = std::chrono::steady_clock::now();
        ready_ = std::move(building);
        hand_over_next = false;
        slot_cv_.notify_all();
        retired.swap(retired_groups_);
        continue;
      }
      if (!worth_taking()) {
        break;  // stopping, and everything queued was handed over
      }
      hand_over_next = committer_waiting_;
      const std::size_t limit = committer_waiting_ ? options_.max_group_events : chunk_events;
      const std::size_t building_bytes = building ? building->writes.size() : 0;
      std::size_t bytes = 0;
      while (!queue_.empty() &&
             (appends.empty() || (events < limit && building_bytes + bytes < options_.max_group_bytes))) {
        events += queue_.front().events->size();
        bytes += queue_.front().bytes;
        appends.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_events_ -= std::min(queued_events_, events);
      if (reset_needed_ && !ready_ && !building) {
        // A write failed and the committer has failed every group prepared on
        // top of it: start again from what is committed.
        next_seq_ = last_seq_ + 1;
        pending_keys_.clear();
        pending_by_group_.clear();
        reset_needed_ = false;
      }
    }
    // Committed groups' keys are in the DB now; stop shadowing them.
    const std::uint64_t committed = committed_group_.load();
    while (!pending_by_group_.empty() && pending_by_group_.front().first <= committed) {
      for (const auto& key : pending_by_group_.front().second) {
        auto it = pending_keys_.find(key);
        if (it != pending_keys_.end() && it->second <= committed) {
          pending_keys_.erase(it);
        }
      }
      pending_by_group_.pop_front();
    }
    if (!building) building = new_group();
    prepare(*building, std::move(appends));
  }
  std::lock_guard<std::mutex> lock(mu_);
  sequencer_done_ = true;
  slot_cv_.notify_all();
}

std::unique_ptr<rocksdb_event_store::prepared_group> rocksdb_event_store::new_group() {
  auto g = std::make_unique<prepared_group>();
  g->started = std::chrono::steady_clock::now();
  g->id = next_group_++;
  g->first_seq = g->end_seq = next_seq_;
  std::lock_guard<std::mutex> lock(mu_);
  if (!spare_batches_.empty()) {
    g->writes = batch_bytes(std::move(spare_batches_.back()));
    spare_batches_.pop_back();
  }
  return g;
}

void rocksdb_event_store::prepare(prepared_group& group, std::vector<pending_append> appends) {
  const auto held = hold_db();  // cf() and the dedup lookups
  prepared_group* g = &group;
  const std::size_t first = g->appends.size();  // the appends this call adds start here
  for (auto& a : appends) g->appends.push_back(std::move(a));
  g->outcomes.resize(g->appends.size());
  g->refused.resize(g->appends.size());

  // Every (source, id) of the group, looked up in one MultiGet; an event
  // whose id is unique by construction has no key (empty) and is new.
  std::vector<std::string> keys;
  for (std::size_t a = first; a < g->appends.size(); ++a) {
    if (const auto& chain = g->appends[a].chain; chain && chain->broken.load()) {
      g->refused[a] = status{errc::unavailable, "an earlier step of the same writer could not be stored"};
    }
    for (const auto& ev : *g->appends[a].events) {
      keys.push_back(ev.unique_id ? std::string() : dedup_key(ev.source, ev.id));
    }
  }
  std::vector<rocksdb::Slice> slices;
  for (const auto& key : keys) {
    if (!key.empty()) slices.emplace_back(key);
  }
  std::vector<rocksdb::PinnableSlice> values(slices.size());
  std::vector<rocksdb::Status> looked_up(slices.size());
  if (!slices.empty()) {
    db_->MultiGet(rocksdb::ReadOptions(), cf(cf_dedup), slices.size(), slices.data(), values.data(),
                  looked_up.data());
  }
  std::vector<rocksdb::Status> found(keys.size(), rocksdb::Status::NotFound());
  for (std::size_t i = 0, j = 0; i < keys.size(); ++i) {
    if (!keys[i].empty()) found[i] = looked_up[j++];
  }

  const std::int64_t now = options_.clock_ms();
  std::uint64_t seq = next_seq_;
  std::vector<std::string> group_keys;
  const std::uint32_t log_column = cf(cf_log)->GetID();
  if (!index_writes_) {
    index_writes_ = std::make_unique<sorted_writes>();
    for (const auto& [name, handle] : handles_) {
      if (hashed_keys(name)) index_writes_->keep_arrival_order(handle->GetID());
    }
  }
  index_writes_->clear();
  std::size_t k = 0;
  for (std::size_t a = first; a < g->appends.size() && g->failure.is_ok(); ++a) {
    if (!g->refused[a].is_ok()) {
      k += g->appends[a].events->size();  // its keys were looked up with the others
      continue;
    }
    append_outcome& out = g->outcomes[a];
    out.recorded_at_ms = now;
    out.seqs.reserve(g->appends[a].events->size());
    for (const auto& ev : *g->appends[a].events) {
      std::string& key = keys[k];
      const rocksdb::Status& st = found[k++];
      if (!st.ok() && !st.IsNotFound()) {
        g->failure = from_rocksdb(st, "checking for a duplicate event");
        break;
      }
      if (st.ok() || (!key.empty() && pending_keys_.count(key))) {
        out.seqs.push_back(0);
        ++out.duplicates;
        continue;
      }
      // Encoded straight into the batch: no scratch copy of the record.
      const std::size_t record_size = encoded_record_size(ev, now);
      char* room = g->writes.put_value_room(log_column, log_key(seq), record_size);
      [[maybe_unused]] const char* record_end = encode_record_to(room, g->appends[a].kind, now, ev);
      assert(record_end == room + record_size);
      project(seq, g->appends[a].kind, ev, *index_writes_);
      if (!key.empty()) {
        pending_keys_.emplace(key, g->id);
        group_keys.push_back(std::move(key));
      }
      out.seqs.push_back(seq);
      if (out.first_seq == 0) {
        out.first_seq = seq;
      }
      out.last_seq = seq;
      ++out.accepted;
      ++seq;
    }
    g->accepted += out.accepted;
    g->duplicates += out.duplicates;
    for (const auto& id : g->appends[a].calls_started) {
      index_writes_->put(cf(cf_calls_started), id, rocksdb::Slice());
      started_calls_.insert(id);
    }
  }
  if (g->failure.is_ok()) {
    // Log keys come in order already; the views' and indexes' keys are
    // sorted so that each memtable insert starts where the last one went.
    index_writes_->append_to(g->writes);
  }
  g->end_seq = seq;
  if (g->failure.is_ok()) {
    next_seq_ = seq;
  }
  if (!pending_by_group_.empty() && pending_by_group_.back().first == g->id) {
    auto& keys_of_group = pending_by_group_.back().second;
    for (auto& key : group_keys) keys_of_group.push_back(std::move(key));
  } else {
    pending_by_group_.emplace_back(g->id, std::move(group_keys));
  }
}

void rocksdb_event_store::committer_loop() {
  const auto interval = std::chrono::milliseconds(options_.sync_interval_ms);
  std::unique_ptr<prepared_group> committed;  // the last group, until it is handed on to be destroyed
  for (;;) {
    std::unique_ptr<prepared_group> group;
    bool failing = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (committed) retired_groups_.push_back(std::move(committed));
      auto ready = [this] { return ready_ || sequencer_done_; };
      committer_waiting_ = true;
      queue_cv_.notify_all();  // the sequencer hands over what it is building
      if (options_.sync == domain::sync_policy::interval && wal_dirty_) {
        slot_cv_.wait_for(lock, interval, ready);
      } else {
        slot_cv_.wait(lock, ready);
      }
      committer_waiting_ = false;
      if (ready_) {
        group = std::move(ready_);
        failing = reset_needed_;
        slot_cv_.notify_all();
      } else if (sequencer_done_) {
        break;
      }
    }
    if (group) {
      if (failing && group->failure.is_ok()) {
        group->failure = status{errc::unavailable,
                                "an earlier write failed; nothing of this request was stored"};
      }
      if (group->failure.is_ok() && group->batch.Count() > 0 && write_failed_ && !recover_after_failure()) {
        group->failure = status{errc::unavailable,
                                "storage unavailable (an earlier write failed and the disk still fails); "
                                "nothing of this request was stored"};
      }
      if (group->failure.is_ok() && group->batch.Count() > 0) {
        rocksdb::WriteOptions wo;
        wo.sync = options_.sync == domain::sync_policy::every_commit;
        auto st = db_->Write(wo, &group->batch);
        if (!st.ok()) {
          // A failed disk write is the node's trouble, not the request's:
          // 503, so the sender retries (its events are deduplicated).
          write_failed_ = true;
          group->failure = status{errc::unavailable, "storage unavailable, nothing of this request was stored (" +
                                                         st.ToString() + ")"};
        } else {
          wal_dirty_ = wal_dirty_ || !wo.sync;
          last_seq_ = group->end_seq - 1;
          commits_ += 1;
          batch_bytes_ += group->batch.GetDataSize();
        }
      }
      if (!group->failure.is_ok()) {
        // Chains first: once reset_needed_ is seen, the sequencer prepares
        // on what is committed, and a chain's next append must not go there.
        for (const auto& a : group->appends) {
          if (a.chain) a.chain->broken = true;
        }
        std::lock_guard<std::mutex> lock(mu_);
        reset_needed_ = true;
      }
      committed_group_ = group->id;
      complete(*group);
      recycle(std::move(group->batch));
      committed = std::move(group);
    }
    if (options_.sync == domain::sync_policy::interval && wal_dirty_ &&
        options_.clock_ms() - last_sync_ms_ >= options_.sync_interval_ms) {
      db_->SyncWAL();
      wal_dirty_ = false;
      last_sync_ms_ = options_.clock_ms();
    }
  }
  if (wal_dirty_) {
    db_->SyncWAL();
  }
}

bool rocksdb_event_store::recover_after_failure() {
  // Does the disk take a write and an fsync again? Asked through the same
  // Env as RocksDB's own files, so injected faults count too.
  rocksdb::Env* env = env_ ? env_.get() : rocksdb::Env::Default();
  const std::string probe = options_.path + "/herald-write-probe";
  {
    std::unique_ptr<rocksdb::WritableFile> file;
    if (!env->NewWritableFile(probe, &file, rocksdb::EnvOptions()).ok() || !file->Append("probe").ok() ||
        !file->Sync().ok() || !file->Close().ok()) {
      return false;
    }
  }
  (void)env->DeleteFile(probe);
  std::unique_lock<std::shared_mutex> exclusive(db_mu_);
  // RocksDB's stall counters start again with the new DB: keep what they
  // counted so far, so the metrics stay counters.
  add_stall_counts(stalls_before_reopen_, rocksdb_write_stalls());
  iterators_->clear();
  for (auto& [name, h] : handles_) db_->DestroyColumnFamilyHandle(h);
  handles_.clear();
  (void)db_->Close();
  delete db_;
  db_ = nullptr;
  rocksdb::DB* db = nullptr;
  if (auto st = open_db(options_, env_.get(), &db, &handles_); !st) {
    // The folder took a probe write but RocksDB can't open it: nothing
    // sensible is left to serve from. Stop loudly; a restart recovers.
    std::fprintf(stderr, "herald: the data folder could not be reopened after a write failure: %s\n",
                 st.to_string().c_str());
    std::_Exit(75);
  }
  db_ = db;
  index_handles();
  write_failed_ = false;
  return true;
}

void rocksdb_event_store::recycle(rocksdb::WriteBatch batch) {
  // Two spares cover the group being prepared while one is written; a
  // batch grown by a rare huge group is let go rather than kept.
  constexpr std::size_t keep_up_to_bytes = 16u << 20;
  if (batch.Data().capacity() > keep_up_to_bytes) return;
  std::string bytes = batch_bytes::reclaim(std::move(batch));
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_batches_.size() < 2) spare_batches_.push_back(std::move(bytes));
}

void rocksdb_event_store::complete(prepared_group& g) {
  if (g.failure.is_ok()) {
    events_ += g.accepted;
    duplicates_ += g.duplicates;
    last_commit_us_ = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                              g.started)
            .count());
    std::lock_guard<std::mutex> lock(metrics_mutex_);
    metrics_.commit_seconds.observe(static_cast<double>(last_commit_us_) / 1e6);
  }
  for (std::size_t a = 0; a < g.appends.size(); ++a) {
    if (!g.failure.is_ok()) {
      g.appends[a].done(g.failure);
    } else if (!g.refused[a].is_ok()) {
      g.appends[a].done(g.refused[a]);
    } else {
      g.appends[a].done(std::move(g.outcomes[a]));
    }
    // Let go of the callback here, once it has run: it may hold actor
    // handles, and the group it came in is freed later by the sequencer,
    // possibly after the actor system is gone. What the group keeps is data.
    g.appends[a].done = nullptr;
  }
}

void rocksdb_event_store::project(std::uint64_t seq, domain::event_kind kind,
                                  const domain::cloud_event& event, sorted_writes& batch,
                                  bool engine_views) const {
  if (!event.unique_id) {
    const key_piece at = fixed64be_piece(seq);
    batch.put(cf(cf_dedup), {lenstr_length(event.source), event.source, event.id}, std::string_view(at));
  }
  // Engine events about an entity are part of its audit trail too.
  const domain::entity_effect effect = domain::entity_effect_of(event);
  if (effect.key) {
    const char kind_byte = static_cast<char>(kind);
    batch.put(cf(cf_entity_history), {lenstr_length(*effect.key), *effect.key, fixed64be_piece(seq)},
              rocksdb::Slice(&kind_byte, 1));
  }
  if (kind == domain::event_kind::engine_event && engine_views) {
    project_engine_event(seq, event, batch);
  }
}

result<stored_event> rocksdb_event_store::read(std::uint64_t seq) const {
  const auto held = hold_db();
  return read_held(seq);
}

result<stored_event> rocksdb_event_store::read_held(std::uint64_t seq) const {
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions(), cf(cf_log), log_key(seq), &value);
  if (st.IsNotFound()) {
    return status{errc::not_found, "no event with sequence number " + std::to_string(seq)};
  }
  if (!st.ok()) {
    return from_rocksdb(st, "reading event " + std::to_string(seq));
  }
  return decode_record(seq, value);
}

status rocksdb_event_store::scan(const scan_filter& filter,
                                 const std::function<bool(const stored_event&)>& visit) const {
  const auto held = hold_db();
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(cf_log)));
  for (it->Seek(log_key(filter.from_seq)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) {
      return status{errc::corruption, "malformed key in the log"};
    }
    const std::uint64_t seq = get_fixed64be(std::string_view(it->key().data(), 8));
    if (seq > filter.to_seq) {
      break;
    }
    auto e = decode_record(seq, std::string_view(it->value().data(), it->value().size()));
    if (!e) {
      return e.error();
    }
    if (filter.from_ms && e->recorded_at_ms < *filter.from_ms) {
      continue;
    }
    if (filter.to_ms && e->recorded_at_ms >= *filter.to_ms) {
      continue;
    }
    if (filter.entity && e->event.subject != filter.entity) {
      continue;
    }
    if (filter.kind && e->kind != *filter.kind) {
      continue;
    }
    if (!visit(*e)) {
      break;
    }
  }
  return it->status().ok() ? status::ok() : from_rocksdb(it->status(), "scanning the log");
}

namespace {

// The kind an entity_history value keeps; nullopt when it is empty (written
// before the kind was kept) or not a kind this version knows.
std::optional<domain::event_kind> history_kind(const rocksdb::Slice& value) {
  if (value.size() != 1) return std::nullopt;
  return domain::event_kind_of(static_cast<std::uint8_t>(value[0]));
}

}  // namespace

result<std::vector<event_store::history_entry>> rocksdb_event_store::history_entries(const std::string& entity_key,
                                                                                     std::uint64_t before_seq,
                                                                                     std::size_t limit) const {
  if (options_.faults && options_.faults->history_reads_fail()) {
    return status{errc::unavailable, "injected fault: reading an entity's history failed"};
  }
  const auto held = hold_db();
  std::vector<history_entry> entries;
  if (before_seq == 0 || limit == 0) {
    return entries;
  }
  const std::string prefix = entity_history_prefix(entity_key);
  const pooled_iterator it(*iterators_, *db_, cf(cf_entity_history));
  auto in_prefix = [&] {
    return it->Valid() && std::string_view(it->key().data(), it->key().size()).compare(0, prefix.size(), prefix) == 0;
  };
  auto seq_here = [&] { return entity_history_seq(std::string_view(it->key().data(), it->key().size())); };
  auto malformed = [&] { return status{errc::corruption, "malformed history key for " + entity_key}; };
  // Most histories are short (a new entity's is one event): read forward,
  // a seek and a few steps, and keep the newest. A skip list has no way
  // back: each step backwards is another search from the top, so only a
  // history longer than this is read backwards from its end.
  constexpr std::size_t forward_steps = 64;
  std::vector<history_entry> oldest_first;
  bool whole = false;
  for (it->Seek(prefix); oldest_first.size() < forward_steps; it->Next()) {
    if (!in_prefix()) {
      whole = true;
      break;
    }
    const auto seq = seq_here();
    if (!seq) return malformed();
    if (*seq >= before_seq) {
      whole = true;
      break;
    }
    oldest_first.push_back({*seq, history_kind(it->value())});
  }
  if (!it->status().ok()) {
    return from_rocksdb(it->status(), "reading the history of " + entity_key);
  }
  if (whole) {
    for (auto e = oldest_first.rbegin(); e != oldest_first.rend() && entries.size() < limit; ++e) entries.push_back(*e);
    return entries;
  }
  for (it->SeekForPrev(entity_history_key(entity_key, before_seq - 1)); in_prefix() && entries.size() < limit;
       it->Prev()) {
    const auto seq = seq_here();
    if (!seq) return malformed();
    if (*seq < before_seq) {
      entries.push_back({*seq, history_kind(it->value())});
    }
  }
  if (!it->status().ok()) {
    return from_rocksdb(it->status(), "reading the history of " + entity_key);
  }
  return entries;
}

store_metrics rocksdb_event_store::metrics() const {
  std::lock_guard<std::mutex> lock(metrics_mutex_);
  return metrics_;
}

write_stall_totals rocksdb_event_store::write_stalls() const {
  const auto held = hold_db();
  write_stall_totals t = rocksdb_write_stalls();
  add_stall_counts(t, stalls_before_reopen_);
  return t;
}

write_stall_totals rocksdb_event_store::rocksdb_write_stalls() const {
  write_stall_totals t;
  // RocksDB's own counts (its LOG's "Stalls(count)" and "Cumulative stall")
  // since the DB opened.
  const auto count = [](const std::map<std::string, std::string>& m, const char* key) -> std::uint64_t {
    const auto it = m.find(key);
    return it == m.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
  };
  std::map<std::string, std::string> m;
  for (const auto& [name, handle] : handles_) {
    m.clear();
    if (!db_->GetMapProperty(handle, rocksdb::DB::Properties::kCFStats, &m)) continue;
    t.delays += count(m, "io_stalls.total_slowdown");
    t.stops += count(m, "io_stalls.total_stop");
  }
  m.clear();
  if (db_->GetMapProperty(rocksdb::DB::Properties::kDBStats, &m)) {
    t.seconds = static_cast<double>(count(m, "db.user_write_stall_micros")) / 1e6;
  }
  std::uint64_t stopped = 0;
  t.stopped_now = db_->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &stopped) && stopped != 0;
  return t;
}

std::uint64_t rocksdb_event_store::memory_bytes() const {
  const auto held = hold_db();
  std::uint64_t total = 0;
  for (const auto& [name, handle] : handles_) {
    std::uint64_t bytes = 0;
    if (db_->GetIntProperty(handle, rocksdb::DB::Properties::kSizeAllMemTables, &bytes)) total += bytes;
  }
  std::uint64_t cache = 0;
  if (db_->GetIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &cache)) total += cache;
  return total;
}

store_stats rocksdb_event_store::stats() const {
  store_stats s;
  s.commits = commits_;
  s.events = events_;
  s.duplicates = duplicates_;
  s.batch_bytes = batch_bytes_;
  s.last_commit_us = last_commit_us_;
  return s;
}

}  // namespace herald::storage
