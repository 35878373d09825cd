#pragma once
// The one CAF configuration Herald runs with, for the program, the
// benchmarks and the tests alike.
//
// - Two worker threads: the machines Herald is sized for have 2 cores
//   (CAF's default of 4 would oversubscribe them).
// - The "sharing" scheduler policy (one queue, workers sleep on a condition
//   variable): Herald's actors mostly wait for durable appends, and the
//   default work-stealing policy spent those waits busy-polling, taking CPU
//   from the store's writer threads, then sleeping up to 10 ms between polls
//   once relaxed. Measured with bench/pipeline_bench: 2,300 -> 4,400-5,000
//   communications/s end to end.

// - Workers read the store (entity restores, views): RocksDB's per-thread
//   perf counts are off on them, as on the store's own threads.
// - The sharing scheduler is Herald's own instantiation of CAF's, without
//   the per-job logging hook Debian's build leaves in, and with a clock that
//   is not woken by actors stopping that never set a timeout
//   (sharing_scheduler.cpp).

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/thread_hook.hpp>

#include <cstdint>
#include <typeinfo>

#include "storage/rocksdb_perf.hpp"

namespace herald::actors {

// CAF's sharing scheduler (coordinator and workers) as a module of
// `system`, for actor_system_config::module_factories.
caf::actor_system::module* make_sharing_scheduler(caf::actor_system& system);
// The type of what make_sharing_scheduler makes (for tests).
const std::type_info& sharing_scheduler_type();

// Stopping actors' requests to cancel their timeouts, as the scheduler's
// clock front counted them: forwarded to CAF's clock (the actor had set a
// timeout) or skipped (it had not, so its thread is not woken). Zero for a
// system that runs another scheduler.
struct clock_cancellations {
  std::uint64_t forwarded = 0;
  std::uint64_t skipped = 0;
};
clock_cancellations clock_cancellations_of(caf::actor_system& system);

struct skip_rocksdb_perf_counts : caf::thread_hook {
  void init(caf::actor_system&) override {}
  void thread_started() override { storage::skip_rocksdb_perf_counts_on_this_thread(); }
  void thread_terminates() override {}
};

inline void configure_actor_system(caf::actor_system_config& cfg) {
  cfg.set("scheduler.max-threads", 2);
  cfg.set("scheduler.policy", caf::atom("sharing"));  // what the module below is
  cfg.module_factories.push_back(&make_sharing_scheduler);
  cfg.add_thread_hook<skip_rocksdb_perf_counts>();
}

}  // namespace herald::actors
