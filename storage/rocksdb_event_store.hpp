#pragma once
// The RocksDB implementation of event_store (key layouts: key_layout.hpp).
//
// Group commit, pipelined over two threads. The sequencer takes everything
// queued, checks (source, id) for duplicates, assigns sequence numbers and
// builds one WriteBatch with the events and all their projection updates.
// The committer writes it (one WAL write, one fsync under
// sync_policy::every_commit) and runs every callback. While one group is
// being written the next is prepared, so many concurrent appenders share one
// fsync and preparing costs no fsync time.
//
// Ordering: groups commit in sequence order and callbacks run in that order.
// If a write fails, that group and any group prepared on top of it fail
// (nothing of them is stored) and sequencing restarts from the last
// committed event.
//
// Ownership: the store owns the DB, its column family handles and the writer
// thread; the destructor drains queued appends, stops the writer and closes
// the DB. Only one process may open a data folder read-write (RocksDB's
// LOCK file); opening a held folder answers errc::busy.

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <boost/json/value.hpp>

#include "domain/config.hpp"
#include "domain/engine_facts.hpp"
#include "domain/metrics_text.hpp"
#include "storage/event_store.hpp"
#include "storage/storage_faults.hpp"

namespace boost::json {
class value;
}  // namespace boost::json

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
class Env;
}  // namespace rocksdb

namespace herald::storage {

class iterator_pool;
class sorted_writes;
class batch_bytes;
// Column family handles by name; found by any string-like name (std::less<>).
using column_handles = std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>>;

struct store_options {
  std::string path;
  domain::sync_policy sync = domain::sync_policy::every_commit;
  std::uint32_t sync_interval_ms = 100;
  // Upper bounds of one group commit, in events and in bytes (the events'
  // data, about what the group will write): a group stops taking appends
  // at either, though an append larger than them still goes whole. The
  // bytes bound a group's batch: under a burst (a flood of new events
  // while the log syncs) groups without it reached 40 MB, each batch
  // memory the process touched for the first time. A group commit at 4 MB
  // already takes thousands of events per fsync.
  std::size_t max_group_events = 50000;
  std::size_t max_group_bytes = 4u << 20;
  bool read_only = false;  // for export and inspection while a server runs
  // RocksDB's memory, bounded whatever the number of entities: memtables of
  // every column family together, and one block cache they share. Without
  // these, each of the ~18 column families may hold 2 x 64 MiB of memtable
  // and its own 8 MiB cache.
  std::size_t memtable_budget_bytes = 96u << 20;
  std::size_t block_cache_bytes = 32u << 20;
  // Returns "now" in ms since the epoch; recorded_at of appended events.
  std::function<std::int64_t()> clock_ms;
  // When set, every file RocksDB writes consults it (storage_faults.hpp).
  std::shared_ptr<const storage_faults> faults;
};

struct replay_options {
  scan_filter filter;
  // Called every few thousand events and at the end with (events applied,
  // current seq, last seq in the log).
  std::function<void(std::uint64_t, std::uint64_t, std::uint64_t)> progress;
};

// RocksDB's write stalls since the store opened. RocksDB delays or stops
// every write while a column family has too many memtables waiting for
// their flush (or too many files waiting for compaction); the committer
// then waits inside its write, and every append with it. Before these,
// only RocksDB's LOG told ("Stopping writes because ...").
struct write_stall_totals {
  std::uint64_t delays = 0;  // times a family's state was found to need writes delayed
  std::uint64_t stops = 0;   // times a family's state was found to need writes stopped
  double seconds = 0;        // time writes waited in delays and stops, counted as each wait ends
  bool stopped_now = false;  // RocksDB stops every write at this moment
};

// What the store counts for GET /metrics since it opened.
struct store_metrics {
  std::map<std::pair<std::string, std::string>, std::uint64_t> attempt_records;  // (channel, status) -> records
  std::map<std::string, std::uint64_t> instance_records;                         // state -> records
  domain::histogram commit_seconds = domain::histogram::seconds();
};

class rocksdb_event_store final : public event_store {
 public:
  // Opens (creating when missing) the store at options.path. Refuses a folder
  // that holds something other than a Herald store.
  static result<std::unique_ptr<rocksdb_event_store>> open(store_options options);

  ~rocksdb_event_store() override;
  rocksdb_event_store(const rocksdb_event_store&) = delete;
  rocksdb_event_store& operator=(const rocksdb_event_store&) = delete;

  using event_store::append_async;
  void append_async(domain::event_kind kind, event_batch events, append_callback done,
                    std::shared_ptr<append_chain> chain) override;
  result<stored_event> read(std::uint64_t seq) const override;
  status scan(const scan_filter& filter,
              const std::function<bool(const stored_event&)>& visit) const override;
  result<std::vector<history_entry>> history_entries(const std::string& entity_key, std::uint64_t before_seq,
                                                     std::size_t limit) const override;
  std::uint64_t last_seq() const override { return last_seq_.load(); }
  store_stats stats() const override;
  store_metrics metrics() const;
  write_stall_totals write_stalls() const;
  // Bytes RocksDB holds in memory: every column family's memtables (live and
  // waiting to be flushed) and the block cache.
  std::uint64_t memory_bytes() const;

  // Rebuilds projections from the log. With no filter every projection is
  // dropped and rebuilt; with an entity filter and no sequence range that
  // entity's projections are; otherwise matching events are re-applied
  // (idempotently). Requires a read-write store with no appends in flight.
  status rebuild_projections(const replay_options& options);

  // Returns every (key, value) of a column family, in key order. For tests
  // and inspection of small stores.
  result<std::vector<std::pair<std::string, std::string>>> dump_column(const std::string& cf) const;

  // Stops accepting appends, commits what is queued and joins the writer.
  void stop();

  // --- Engine views (engine_views.cpp). Values are the JSON views the
  // engine events carried; ids and cursors are opaque strings.
  enum class view_kind { instance, attempt, attempt_content, communication, task, preferences };
  enum class index_kind {
    log,                    // attempts, newest first
    open_tasks,             // open tasks, oldest first
    entity_log,             // one entity's attempts, newest first (needs `entity`)
    entity_instances,       // one entity's instances (needs `entity`)
    errored_instances,      // instances in error, newest first
    status_group,           // attempts whose status reached a group, newest first (`entity`: the
                            // group, failed | not_sent | completed); one may have left it since
  };
  struct timer_entry {
    std::int64_t due_ms = 0;
    std::string instance_id;
    int action = 0;
    std::string entity;
  };
  // Returns the JSON of a view, nullopt when there is none.
  result<std::optional<std::string>> view(view_kind kind, const std::string& id) const;
  // The same, parsed, for a reader that takes the view apart (no text in
  // between); a view that is not JSON is a corruption error.
  result<std::optional<boost::json::value>> view_value(view_kind kind, const std::string& id) const;
  // Records, durably and in the next group commit, that calls to providers
  // are about to start for these attempts; `done` runs once they are (or
  // with the error). A restart finds such attempts still queued and marks
  // their outcome unknown instead of calling the provider a second time.
  void mark_calls_started(std::vector<std::string> attempt_ids, append_callback done);
  // Visits every queued attempt: its id, its owner entity, and whether a
  // provider call for it had started.
  status scan_queued_attempts(
      const std::function<bool(const std::string& id, const std::string& owner, bool call_started)>& visit) const;
  // Visits ids in index order after `cursor` (exclusive; empty: from the
  // start) until `visit` returns false; `visit` gets the id and the cursor
  // that resumes after it.
  status scan_index(index_kind kind, const std::string& entity, const std::string& cursor,
                    const std::function<bool(const std::string& id, const std::string& cursor)>& visit) const;
  // The narrowest index of attempts for a list: one entity's (`entity` not
  // empty), else those whose status reached `status_group` (not empty),
  // else every attempt; with what scan_index takes as `entity` for it.
  static std::pair<index_kind, std::string> attempts_index(const std::string& entity,
                                                           const std::string& status_group);
  // Visits communications newest first by their latest attempt (one
  // entity's when `entity` is not empty; else, with `status_group`, those
  // whose latest attempt reached that group), each with its view, after
  // `cursor` until `visit` returns false. They are found through the
  // attempts' indexes (log, entity_log, status_group), each where its
  // latest attempt is, so a communication needs no index of its own that
  // moves with every attempt; the cursor is one of those indexes'.
  status scan_communications(
      const std::string& entity, const std::string& cursor,
      const std::function<bool(const std::string& id, boost::json::value view, const std::string& cursor)>& visit,
      const std::string& status_group = "") const;
  // Visits pending timers due at or before `up_to_ms`, earliest first,
  // after `cursor` (exclusive; empty: from the first).
  status scan_timers(std::int64_t up_to_ms, const std::function<bool(const timer_entry&)>& visit) const {
    return scan_timers(up_to_ms, "", [&](const timer_entry& t, const std::string&) { return visit(t); });
  }
  status scan_timers(std::int64_t up_to_ms, const std::string& cursor,
                     const std::function<bool(const timer_entry&, const std::string& cursor)>& visit) const;
  // Returns the current {"kind","id","version","body"} of a definition.
  result<std::optional<std::string>> definition(const std::string& kind, const std::string& id) const;
  // Visits every current definition: (kind, id, {"kind","id","version","body"}).
  status scan_definitions(
      const std::function<bool(const std::string& kind, const std::string& id, const std::string& json)>& visit) const;
  // Retention (SPEC §7): removes the raw payload of every provider event
  // received before `cutoff_ms` — from its log record and its view — and
  // keeps what Herald read from it. Returns how many were purged.
  result<std::size_t> purge_provider_events(std::int64_t cutoff_ms);
  // Removes the attachment bodies of attempts created before `cutoff_ms`
  // from their log records and content views (names and types stay, with
  // "purged": true). Returns how many attempts were purged.
  result<std::size_t> purge_attachments(std::int64_t cutoff_ms);
  // Visits the provider events recorded for an attempt (their data JSON).
  status provider_events(const std::string& attempt_id, const std::function<void(const std::string&)>& visit) const;
  // Visits the entities that have linked to `target` through `link`; some
  // may link elsewhere now (the caller checks).
  status linked_from(const std::string& target, const std::string& link,
                     const std::function<bool(const std::string& source)>& visit) const;
  // The engine checkpoint (key_layout.hpp): 0 when never written. Writing
  // it is not synced: a lost checkpoint only means re-handling events,
  // which is idempotent.
  result<std::uint64_t> engine_checkpoint() const;
  status set_engine_checkpoint(std::uint64_t seq);
  // Returns the body of one version of a definition.
  result<std::optional<std::string>> definition_version(const std::string& kind, const std::string& id,
                                                        std::uint64_t version) const;

 private:
  struct pending_append {
    domain::event_kind kind;
    event_batch events;
    append_callback done;
    std::vector<std::string> calls_started;  // mark_calls_started: no events
    std::shared_ptr<append_chain> chain;     // may be null
    std::size_t bytes = 0;                   // its events' data (max_group_bytes)
  };
  struct prepared_group;
  // Hands an append to the sequencer (append_async, mark_calls_started).
  void enqueue(pending_append append);

  rocksdb_event_store(store_options options, std::unique_ptr<rocksdb::Env> env, rocksdb::DB* db,
                      column_handles handles);
  // Retention (retention.cpp): the view entry a purged record also rewrites.
  struct purged_view {
    const char* column = nullptr;  // none
    std::string key, value;
  };
  using purge_rewrite = std::function<bool(boost::json::value& data, const std::string& attempt,
                                           const std::string& event_id, purged_view& view)>;
  result<std::size_t> purge_expired(const char* expiry_column, std::int64_t cutoff_ms, const char* what,
                                    const purge_rewrite& rewrite);
  // read() for a caller that already holds hold_db().
  result<stored_event> read_held(std::uint64_t seq) const;
  static status open_db(const store_options& options, rocksdb::Env* env, rocksdb::DB** db,
                        column_handles* handles);
  // After a failed write RocksDB refuses writes for good (a failed WAL write
  // can't be resumed): once a probe write to the folder succeeds again, the
  // committer closes and reopens the DB. Returns whether writes may go on.
  bool recover_after_failure();
  // RocksDB's stall counters of the open DB; the caller holds hold_db().
  write_stall_totals rocksdb_write_stalls() const;
  // Readers hold this shared while they use db_ and handles_; the committer
  // holds it exclusively while it reopens the DB. A scan's visitor may read
  // again (view() inside scan_index): a second shared hold on one thread,
  // which glibc's reader-preferring rwlock (std::shared_mutex here) allows.
  std::shared_lock<std::shared_mutex> hold_db() const { return std::shared_lock<std::shared_mutex>(db_mu_); }
  void sequencer_loop();
  void committer_loop();
  std::unique_ptr<prepared_group> new_group();
  // Adds `appends` to `g` (sequence numbers, records, projections).
  void prepare(prepared_group& g, std::vector<pending_append> appends);
  void complete(prepared_group& group);
  void recycle(rocksdb::WriteBatch batch);  // committer: keep its memory for a later group
  // Adds the projection updates of event `seq` to `batch`.
  // `engine_views`: also update the engine views (false for ranged replays,
  // which must not put an older state over a newer one).
  void project(std::uint64_t seq, domain::event_kind kind, const domain::cloud_event& event,
               sorted_writes& batch, bool engine_views = true) const;
  void project_engine_event(std::uint64_t seq, const domain::cloud_event& event, sorted_writes& batch) const;
  void project_instance(std::uint64_t seq, const domain::instance_facts& f, sorted_writes& batch) const;
  // The attempt's entry in status_log_index under the group its status is
  // in, if any (key_layout.hpp).
  void project_status_group(std::string_view id, std::string_view status, std::int64_t created_at_ms,
                            sorted_writes& batch) const;
  void project_attempt(std::uint64_t seq, const domain::cloud_event& event, const domain::attempt_facts& f,
                       sorted_writes& batch) const;
  rocksdb::ColumnFamilyHandle* cf(const char* name) const;
  // What the column of `kind` holds for `id` (a reference or the view's JSON).
  result<std::optional<std::string>> stored_view(view_kind kind, const std::string& id) const;
  // A view as JSON from what its column holds (`stored`): the member of the
  // engine event a reference names, or the stored JSON parsed (nullopt when
  // it is not JSON). A communication takes its latest attempt's status.
  // An attempt whose latest record is a provider's report is completed from
  // the record of its content, unless only its status is wanted (`whole`).
  result<std::optional<boost::json::value>> view_json(view_kind kind, const std::string& id,
                                                      const std::string& stored, bool whole = true) const;
  // `update`, the attempt `id` as a report's record has it (status_only),
  // becomes the whole attempt: the one its content's record holds, with
  // `update` written over it.
  status complete_status_update(const std::string& id, boost::json::value& update) const;
  // Returns the value of `key` in `column`, nullopt when absent (or when a
  // store opened read-only predates the column).
  result<std::optional<std::string>> get_value(const char* column, const std::string& key,
                                               const char* what) const;
  status recreate_column(const char* name);
  // Writes what `writes` gathered (not synced: a replay's or a rebuild's
  // pass, whose completion the caller records) and empties it; `bytes`
  // keeps the batch's memory for the next call. `what` names the work in
  // an error.
  status write_sorted(sorted_writes& writes, batch_bytes& bytes, const char* what);
  // A store made before status_log_index: indexes the status of each
  // attempt it holds, once, at its first writable open (then marks the
  // index complete in meta_status_index_key).
  status index_attempt_statuses();

  const store_options options_;
  std::unique_ptr<rocksdb::Env> env_;  // the fault-injecting Env, when asked for; outlives db_
  // HERALD_CHECK_ENGINE_FACTS=1 (the tests): the facts an engine record
  // comes with are checked against its data, and a difference aborts.
  const bool check_engine_facts_ = std::getenv("HERALD_CHECK_ENGINE_FACTS") != nullptr;
  mutable std::shared_mutex db_mu_;
  rocksdb::DB* db_;
  column_handles handles_;
  // handles_ again, by the address of the key_layout.hpp constant naming
  // each family, in an open-addressed table: cf() finds a family with a
  // hash of the address and usually one compare, not string compares down
  // the map (1 % of a communication's instructions) nor a walk of a list
  // (0.4 %, ≈ 15 lookups a communication). Rebuilt with handles_
  // (index_handles()). Twice as many slots as families, so a probe ends
  // at an empty slot soon.
  static constexpr std::size_t constant_slots = 64;
  std::array<std::pair<const char*, rocksdb::ColumnFamilyHandle*>, constant_slots> handles_by_constant_{};
  static std::size_t constant_slot(const char* constant) {
    return (reinterpret_cast<std::uintptr_t>(constant) >> 3) % constant_slots;
  }
  void index_handles();
  // Iterators reused by the per-entity walks of a restore (history_entries,
  // scan_index); cleared before db_ closes.
  std::unique_ptr<iterator_pool> iterators_;
  std::atomic<std::uint64_t> last_seq_{0};  // newest committed event
  // Whether the preferences family may hold an entry: read at open, set
  // when a projection writes one (before it is visible). While false, a
  // recipient's preferences are known to be none without a lookup.
  mutable std::atomic<bool> holds_preferences_{true};
  // The sequencer's: a chunk's view and index writes, added to its group's
  // batch sorted (sorted_batch.hpp).
  std::unique_ptr<sorted_writes> index_writes_;

  // State below is protected by mu_.
  std::mutex mu_;
  std::condition_variable queue_cv_;  // appends queued, the committer waiting, or stopping
  std::condition_variable slot_cv_;   // ready_ filled or emptied
  std::deque<pending_append> queue_;
  std::unique_ptr<prepared_group> ready_;  // prepared, handed to the committer
  // The committer waits for a group: the sequencer hands over the one it is
  // building only then, and until then adds what arrives to it.
  bool committer_waiting_ = false;
  std::size_t queued_events_ = 0;  // events in queue_
  // While the committer writes, the sequencer prepares what arrives once
  // this many events are queued (and all of it once the committer waits).
  // Each chunk's index writes are sorted (sorted_batch.hpp): longer chunks
  // make longer sorted runs, and cheaper memtable inserts (768 against 256
  // in pipeline_bench: less CPU per communication, p99 unchanged).
  static constexpr std::size_t chunk_events = 768;
  bool stopping_ = false;
  bool sequencer_done_ = false;
  bool reset_needed_ = false;  // a write failed: groups prepared on top of it fail
  // Written batches' memory (batch_bytes::reclaim), for the next groups: a
  // batch grows to a group's size by doubling, and a fresh one pays every
  // copy and page fault again.
  std::vector<std::string> spare_batches_;
  // Committed groups, destroyed by the sequencer after its next hand-over:
  // freeing a group's events (every record's text) took ≈ 7 % of the
  // committer's time, the one thread every durable append waits for.
  std::vector<std::unique_ptr<prepared_group>> retired_groups_;

  // Owned by the sequencer thread.
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_group_ = 1;
  // (source, id) keys of prepared groups not yet committed -> group id.
  std::unordered_map<std::string, std::uint64_t> pending_keys_;
  std::deque<std::pair<std::uint64_t, std::vector<std::string>>> pending_by_group_;
  // Attempts with a calls_started entry (read at open, then kept with each
  // mark and each attempt leaving queued), so an attempt that never had a
  // call started (the sandbox, a manual task) writes no deletion for it.
  // Sequencer thread, and replay (which runs without appends). After a
  // failed write it may name an entry that is not there, or miss one the
  // failed group deleted: either costs a needless delete or leaves an entry
  // that only ever matters for a queued attempt, which this one is not.
  mutable std::unordered_set<std::string> started_calls_;

  // What RocksDB's stall counters had counted when a write failure made the
  // committer reopen the DB: written with db_mu_ held exclusively, read
  // with it shared.
  write_stall_totals stalls_before_reopen_;

  // Owned by the committer thread.
  std::int64_t last_sync_ms_ = 0;
  bool write_failed_ = false;  // the last write failed: resume RocksDB before the next
  bool wal_dirty_ = false;
  std::atomic<std::uint64_t> committed_group_{0};

  std::atomic<std::uint64_t> commits_{0}, events_{0}, duplicates_{0}, batch_bytes_{0},
      last_commit_us_{0};
  // For GET /metrics: records projected, and commit latency.
  mutable std::mutex metrics_mutex_;
  mutable store_metrics metrics_;
  std::thread sequencer_;
  std::thread committer_;
};

}  // namespace herald::storage
