#pragma once
// Fault injection at the storage seam: a switch that makes every file write
// (or fsync) RocksDB does fail, as a failing or full disk would. Tests and
// `herald serve --fault-injection` (PUT /v1/admin/faults) flip it while the
// node runs, to show that ingest answers 503, stores nothing partial, and
// recovers once the fault clears. Off, it costs one atomic load per write.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string_view>

#include "domain/status.hpp"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace herald::storage {

enum class storage_fault {
  none,
  write_error,  // every file append fails with an I/O error
  sync_error,   // appends succeed, every fsync fails
  no_space,     // every file append fails as on a full disk
};

class storage_faults {
 public:
  void set(storage_fault f) { fault_.store(f, std::memory_order_relaxed); }
  storage_fault get() const { return fault_.load(std::memory_order_relaxed); }

  // For tests: every read of an engine view (rocksdb_event_store::view)
  // fails as an I/O error would. File faults cannot reach these reads: they
  // are mostly answered from memtables.
  void fail_view_reads(bool fail) { view_reads_fail_.store(fail); }
  bool view_reads_fail() const { return view_reads_fail_.load(); }
  // For tests: every read of an entity's history (history_entries) fails
  // as an I/O error would.
  void fail_history_reads(bool fail) { history_reads_fail_.store(fail); }
  bool history_reads_fail() const { return history_reads_fail_.load(); }

  // A slow disk, for tests: while held, every fsync waits until released.
  void hold_syncs(bool held) { all_syncs_.set(held); }
  // How many fsyncs are waiting on hold_syncs now.
  std::size_t syncs_waiting() const { return all_syncs_.waiting(); }
  // A slow flush, for tests: while held, every fsync of a table file (a
  // flush's or a compaction's output) waits until released, while the
  // write-ahead log's go on, so memtables pile up as behind a slow disk.
  void hold_table_syncs(bool held) { table_syncs_.set(held); }
  // Called before each fsync: returns at once unless syncs are held.
  void wait_while_held(bool table_file) const {
    all_syncs_.wait();
    if (table_file) table_syncs_.wait();
  }

 private:
  // fsyncs held until released.
  class sync_hold {
   public:
    void set(bool held);
    std::size_t waiting() const { return waiting_.load(); }
    void wait() const;

   private:
    std::atomic<bool> held_{false};
    mutable std::atomic<std::size_t> waiting_{0};
    mutable std::mutex mu_;
    mutable std::condition_variable released_;
  };

  std::atomic<storage_fault> fault_{storage_fault::none};
  std::atomic<bool> view_reads_fail_{false};
  std::atomic<bool> history_reads_fail_{false};
  sync_hold all_syncs_, table_syncs_;
};

// "none" | "write_error" | "sync_error" | "no_space".
result<storage_fault> parse_storage_fault(std::string_view name);
const char* storage_fault_name(storage_fault f);

// An Env over the default one whose writable files consult `faults`.
std::unique_ptr<rocksdb::Env> make_faulty_env(std::shared_ptr<const storage_faults> faults);

}  // namespace herald::storage
