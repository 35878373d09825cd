#pragma once
// Enforces retention (SPEC §7) while `herald serve` runs: purges raw
// provider events older than `provider_events_days` and attachments older
// than `attachments_days` on the engine clock, at start, every `every`
// after, and whenever asked (after a time skip).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "actors/engine_clock.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::app {

class retention_task {
 public:
  retention_task(storage::rocksdb_event_store& store, actors::engine_clock& clock, std::uint32_t provider_events_days,
                 std::uint32_t attachments_days, std::chrono::milliseconds every = std::chrono::minutes(10));
  ~retention_task();  // stops the thread
  retention_task(const retention_task&) = delete;
  retention_task& operator=(const retention_task&) = delete;

  // Purges now, on the calling thread; returns how many records were purged.
  std::size_t run_once();

 private:
  storage::rocksdb_event_store& store_;
  actors::engine_clock& clock_;
  std::int64_t keep_ms_;
  std::int64_t keep_attachments_ms_;
  std::chrono::milliseconds every_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace herald::app
