#include "app/retention_task.hpp"

#include "adapters/cli/json_log.hpp"

namespace herald::app {

retention_task::retention_task(storage::rocksdb_event_store& store, actors::engine_clock& clock,
                               std::uint32_t provider_events_days, std::uint32_t attachments_days,
                               std::chrono::milliseconds every)
    : store_(store),
      clock_(clock),
      keep_ms_(std::int64_t{provider_events_days} * 86400000),
      keep_attachments_ms_(std::int64_t{attachments_days} * 86400000),
      every_(every) {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    do {
      lock.unlock();
      run_once();
      lock.lock();
    } while (!stop_.wait_for(lock, every_, [this] { return stopping_; }));
  });
}

retention_task::~retention_task() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  thread_.join();
}

std::size_t retention_task::run_once() {
  const std::int64_t now = clock_.now_ms();
  std::size_t total = 0;
  auto note = [&total](const char* what, const result<std::size_t>& purged) {
    if (!purged) {
      adapters::log(adapters::log_level::warn, "retention", {{"error", purged.error().message()}});
      return;
    }
    if (*purged > 0) adapters::log(adapters::log_level::info, "retention", {{what, std::to_string(*purged)}});
    total += *purged;
  };
  note("raw_provider_events_purged", store_.purge_provider_events(now - keep_ms_));
  note("attachments_purged", store_.purge_attachments(now - keep_attachments_ms_));
  return total;
}

}  // namespace herald::app
