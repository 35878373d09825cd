// CAF's "sharing" scheduler, instantiated here without the logging hook its
// worker loop runs for every job, and with a clock in front of its own that
// does not wake the clock's thread for actors that never set a timeout.
//
// Debian builds CAF 0.17 with logging at QUIET, which still compiles
// CAF_PUSH_AID_FROM_PTR into worker::run: before each job a cross-cast of
// the job to abstract_actor and a store of its id in the logger's
// thread-local slot, and again after. Nothing reads that slot when nothing
// is logged. callgrind put the cast at 1.8 % of a communication's
// instructions (one job per message, ≈ 1,100 instructions each), the slot
// at 0.4 %. worker::run is a template, so a policy type of Herald's own
// gets its own instantiation, compiled with the hook defined away; the
// policy itself is CAF's, unchanged.
//
// Every actor's cleanup asks the system's clock to cancel the actor's
// timeouts. CAF 0.17's clock queues that request for its own thread and
// wakes it, whether or not the actor ever set one. Entity actors set none
// (their provider requests wait without a timeout), and thousands of them
// stop each second when the router passivates idle ones: a wake-up of the
// clock's thread per actor, ≈ 6,500 in a 100,000-event run, each a futex
// call and two context switches on a 2-core machine. The front below
// notes which actors set a timeout and forwards only their cancellations;
// everything else goes to CAF's clock unchanged, whose thread runs as
// before.

#include <caf/logger.hpp>

#undef CAF_PUSH_AID_FROM_PTR
#define CAF_PUSH_AID_FROM_PTR(some_ptr) static_cast<void>(0)

#include <caf/policy/work_sharing.hpp>
#include <caf/scheduler/coordinator.hpp>

#include <atomic>
#include <mutex>
#include <typeinfo>
#include <unordered_set>

#include "actors/actor_system_setup.hpp"

namespace herald::actors {
namespace {

struct quiet_work_sharing : caf::policy::work_sharing {};

using caf::detail::thread_safe_actor_clock;

// Forwards to `inner`, the coordinator's clock. Its own queue and dispatch
// loop (inherited, for the coordinator's covariant return type) stay unused.
class timeout_noting_clock final : public thread_safe_actor_clock {
 public:
  explicit timeout_noting_clock(thread_safe_actor_clock& inner) : inner_(inner) {}

  void set_ordinary_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type, uint64_t id) override {
    note(self);
    inner_.set_ordinary_timeout(t, self, type, id);
  }
  void set_request_timeout(time_point t, caf::abstract_actor* self, caf::message_id id) override {
    note(self);
    inner_.set_request_timeout(t, self, id);
  }
  void set_multi_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type, uint64_t id) override {
    note(self);
    inner_.set_multi_timeout(t, self, type, id);
  }
  void cancel_ordinary_timeout(caf::abstract_actor* self, caf::atom_value type) override {
    inner_.cancel_ordinary_timeout(self, type);
  }
  void cancel_request_timeout(caf::abstract_actor* self, caf::message_id id) override {
    inner_.cancel_request_timeout(self, id);
  }
  // Called by every actor's cleanup, on the actor's own thread, after its
  // last handler: nothing of the same actor sets a timeout concurrently.
  void cancel_timeouts(caf::abstract_actor* self) override {
    bool had_timeouts = false;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      had_timeouts = with_timeouts_.erase(self) > 0;
    }
    if (!had_timeouts) {
      skipped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    forwarded_.fetch_add(1, std::memory_order_relaxed);
    inner_.cancel_timeouts(self);
  }
  void schedule_message(time_point t, caf::strong_actor_ptr receiver, caf::mailbox_element_ptr content) override {
    inner_.schedule_message(t, std::move(receiver), std::move(content));
  }
  void schedule_message(time_point t, caf::group target, caf::strong_actor_ptr sender,
                        caf::message content) override {
    inner_.schedule_message(t, std::move(target), std::move(sender), std::move(content));
  }
  void cancel_all() override { inner_.cancel_all(); }

  clock_cancellations counts() const {
    return {forwarded_.load(std::memory_order_relaxed), skipped_.load(std::memory_order_relaxed)};
  }

 private:
  void note(caf::abstract_actor* self) {
    std::lock_guard<std::mutex> guard(mutex_);
    with_timeouts_.insert(self);
  }

  thread_safe_actor_clock& inner_;
  std::mutex mutex_;
  // Actors that set a timeout and have not stopped: a handful (the router,
  // the scheduler, providers, HTTP sessions waiting for an answer).
  std::unordered_set<const caf::abstract_actor*> with_timeouts_;
  std::atomic<std::uint64_t> forwarded_{0};
  std::atomic<std::uint64_t> skipped_{0};
};

class quiet_coordinator final : public caf::scheduler::coordinator<quiet_work_sharing> {
 public:
  using base = caf::scheduler::coordinator<quiet_work_sharing>;

  explicit quiet_coordinator(caf::actor_system& system) : base(system), front_(base::clock()) {}

  thread_safe_actor_clock& clock() noexcept override { return front_; }

  clock_cancellations counts() const { return front_.counts(); }

 private:
  timeout_noting_clock front_;
};

}  // namespace

caf::actor_system::module* make_sharing_scheduler(caf::actor_system& system) { return new quiet_coordinator(system); }

const std::type_info& sharing_scheduler_type() { return typeid(quiet_coordinator); }

clock_cancellations clock_cancellations_of(caf::actor_system& system) {
  auto* coordinator = dynamic_cast<quiet_coordinator*>(&system.scheduler());
  return coordinator != nullptr ? coordinator->counts() : clock_cancellations{};
}

}  // namespace herald::actors
