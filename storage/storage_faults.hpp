#pragma once
// Fault injection at the storage seam: a switch that makes every file write
// (or fsync) RocksDB does fail, as a failing or full disk would. Tests and
// `herald serve --fault-injection` (PUT /v1/admin/faults) flip it while the
// node runs, to show that ingest answers 503, stores nothing partial, and
// recovers once the fault clears. Off, it costs one atomic load per write.

#include <atomic>
#include <memory>
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

 private:
  std::atomic<storage_fault> fault_{storage_fault::none};
};

// "none" | "write_error" | "sync_error" | "no_space".
result<storage_fault> parse_storage_fault(std::string_view name);
const char* storage_fault_name(storage_fault f);

// An Env over the default one whose writable files consult `faults`.
std::unique_ptr<rocksdb::Env> make_faulty_env(std::shared_ptr<const storage_faults> faults);

}  // namespace herald::storage
