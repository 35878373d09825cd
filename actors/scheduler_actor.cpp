#include "actors/scheduler_actor.hpp"

#include <chrono>
#include <set>

#include <caf/all.hpp>

#include "actors/engine_clock.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::actors {
namespace {

constexpr auto fire_timeout = std::chrono::seconds(60);
constexpr std::size_t max_in_flight = 512;
constexpr std::int64_t retry_after_ms = 1000;

struct scheduler_state {
  const storage::rocksdb_event_store* store = nullptr;
  engine_clock* clock = nullptr;
  ingest_router_actor router;
  std::set<std::string> in_flight;  // "instance#action" handed to an entity, not yet answered
  std::int64_t wake_at = INT64_MAX;  // the wake already scheduled (real clock)
  static inline const char* name = "herald.scheduler";
};

using scheduler_pointer = scheduler_actor::stateful_pointer<scheduler_state>;

std::string key_of(const storage::rocksdb_event_store::timer_entry& t) {
  return t.instance_id + "#" + std::to_string(t.action);
}

// Returns the earliest pending timer due by `up_to` that is not being fired.
std::optional<storage::rocksdb_event_store::timer_entry> earliest(scheduler_pointer self, std::int64_t up_to) {
  std::optional<storage::rocksdb_event_store::timer_entry> found;
  auto st = self->state.store->scan_timers(up_to, [&](const auto& t) {
    if (self->state.in_flight.count(key_of(t))) {
      return true;
    }
    found = t;
    return false;
  });
  (void)st;  // a read error leaves the timer for the next look
  return found;
}

void schedule_wake(scheduler_pointer self, std::int64_t due) {
  auto& st = self->state;
  if (st.clock->is_virtual() || due >= st.wake_at) {
    return;
  }
  st.wake_at = due;
  const auto delay = std::max<std::int64_t>(0, due - st.clock->now_ms());
  self->delayed_send(self, std::chrono::milliseconds(delay), wake_atom_v);
}

// Hands one timer to its entity; `done` runs when the entity answered.
void fire(scheduler_pointer self, const storage::rocksdb_event_store::timer_entry& t,
          std::function<void(bool)> done) {
  const std::string key = key_of(t);
  self->state.in_flight.insert(key);
  self->request(self->state.router, fire_timeout, fire_atom_v, t.entity, t.instance_id,
                static_cast<std::int32_t>(t.action))
      .then(
          [self, key, done](bool) {
            self->state.in_flight.erase(key);
            done(true);
          },
          [self, key, done](caf::error&) {
            self->state.in_flight.erase(key);
            done(false);
          });
}

// Fires everything due now (real clock, and overdue timers at start).
void fire_due(scheduler_pointer self) {
  auto& st = self->state;
  const std::int64_t now = st.clock->now_ms();
  std::vector<storage::rocksdb_event_store::timer_entry> due;
  auto scan = st.store->scan_timers(now, [&](const auto& t) {
    if (!st.in_flight.count(key_of(t))) due.push_back(t);
    return st.in_flight.size() + due.size() < max_in_flight;
  });
  (void)scan;
  for (const auto& t : due) {
    fire(self, t, [self](bool ok) {
      // A failed fire stays in the store; look again a little later.
      schedule_wake(self, self->state.clock->now_ms() + (ok ? 0 : retry_after_ms));
    });
  }
  if (auto next = earliest(self, INT64_MAX)) {
    schedule_wake(self, next->due_ms);
  }
}

// Fires, one after the other in due order, every timer due by `to`.
void advance_step(scheduler_pointer self, std::int64_t to, caf::typed_response_promise<std::int64_t> rp,
                  std::shared_ptr<std::set<std::string>> failed) {
  auto& st = self->state;
  std::optional<storage::rocksdb_event_store::timer_entry> next;
  auto scan = st.store->scan_timers(to, [&](const auto& t) {
    if (st.in_flight.count(key_of(t)) || failed->count(key_of(t))) return true;
    next = t;
    return false;
  });
  (void)scan;
  if (!next) {
    st.clock->set_ms(to);
    rp.deliver(st.clock->now_ms());
    return;
  }
  st.clock->set_ms(next->due_ms);
  const std::string key = key_of(*next);
  fire(self, *next, [self, to, rp, failed, key](bool ok) mutable {
    if (!ok) {
      failed->insert(key);  // do not loop on it within this advance
    }
    advance_step(self, to, rp, failed);
  });
}

scheduler_actor::behavior_type scheduler_behavior(scheduler_pointer self,
                                                  const storage::rocksdb_event_store* store,
                                                  engine_clock* clock, ingest_router_actor router) {
  self->state.store = store;
  self->state.clock = clock;
  self->state.router = std::move(router);
  // Overdue timers from before a restart fire at once.
  self->send(self, wake_atom_v);
  return {
      [self](timer_atom, std::int64_t due) { schedule_wake(self, due); },
      [self](advance_atom, std::int64_t to) -> caf::result<std::int64_t> {
        auto rp = self->make_response_promise<std::int64_t>();
        self->request(self->state.router, fire_timeout, settle_atom_v)
            .then([self, to, rp](bool) { advance_step(self, to, rp, std::make_shared<std::set<std::string>>()); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](wake_atom) {
        self->state.wake_at = INT64_MAX;
        fire_due(self);
      },
  };
}

}  // namespace

scheduler_actor spawn_scheduler(caf::actor_system& system, const storage::rocksdb_event_store* store,
                                engine_clock* clock, ingest_router_actor router) {
  return system.spawn(scheduler_behavior, store, clock, std::move(router));
}

}  // namespace herald::actors
