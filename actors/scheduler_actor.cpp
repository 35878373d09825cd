#include "actors/scheduler_actor.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory_resource>
#include <set>
#include <tuple>

#include <caf/all.hpp>

#include "actors/engine_clock.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::actors {
namespace {

constexpr auto settle_timeout = std::chrono::seconds(60);
constexpr std::size_t max_in_flight = 4096;
constexpr std::int64_t retry_after_ms = 1000;

// A pending timer, ordered by due time. Pending timers live in a pool of
// their own: a passivated entity's timer would otherwise be a small block
// left among the freed memory of its actor, pinning a whole page of it
// (measured: ~3.5 KB resident per passivated entity; pooled: see README).
using timer_key = std::tuple<std::int64_t, std::pmr::string, std::int32_t>;  // due, instance, action
using timer_map = std::pmr::map<timer_key, std::pmr::string, std::less<>>;    // -> entity
// A timer_key to look one up by, without copying the instance id.
using timer_ref = std::tuple<std::int64_t, std::string_view, std::int32_t>;

// A timer handed to the router, not yet answered (fired_atom).
struct fired_timer {
  std::string entity;
  std::function<void(bool)> done;  // runs with the answer
};

struct scheduler_state {
  const storage::rocksdb_event_store* store = nullptr;
  engine_clock* clock = nullptr;
  ingest_router_actor router;
  std::pmr::unsynchronized_pool_resource pool;
  // With in_flight, mirrors the store's timers view. A timer is in one of
  // the two: the earliest pending one is the next to fire, found without
  // walking past the thousands out at once under a backlog.
  timer_map pending{&pool};
  std::map<timer_key, fired_timer, std::less<>> in_flight;
  std::int64_t wake_at = INT64_MAX;          // the wake already scheduled (real clock)
  static inline const char* name = "herald.scheduler";
};

using scheduler_pointer = scheduler_actor::stateful_pointer<scheduler_state>;

void schedule_wake(scheduler_pointer self, std::int64_t due) {
  auto& st = self->state;
  if (st.clock->is_virtual() || due >= st.wake_at) {
    return;
  }
  st.wake_at = due;
  const auto delay = std::max<std::int64_t>(0, due - st.clock->now_ms());
  self->delayed_send(self, std::chrono::milliseconds(delay), wake_atom_v);
}

void add_pending(scheduler_pointer self, std::int64_t due, const std::string& instance, std::int32_t action,
                 const std::string& entity) {
  auto& st = self->state;
  // Booked again while being fired: the answer settles it (a fire that
  // went through moved it on; one that did not puts it back).
  if (!st.in_flight.empty() && st.in_flight.count(timer_ref{due, instance, action})) return;
  st.pending.emplace(std::piecewise_construct,
                     std::forward_as_tuple(due, std::string_view(instance), action),
                     std::forward_as_tuple(std::string_view(entity)));
}

// Returns the earliest pending timer (not being fired) due by `up_to` that
// is not in `skip`.
std::optional<timer_key> earliest(scheduler_pointer self, std::int64_t up_to, const std::set<timer_key>& skip = {}) {
  for (const auto& [key, entity] : self->state.pending) {
    if (std::get<0>(key) > up_to) break;
    if (!skip.count(key)) return key;
  }
  return std::nullopt;
}

// Hands one timer to its entity; `done` runs when the entity answered
// (fired_atom, below). The timer waits in in_flight until then: an answer
// that it went through drops it (the entity has moved it on), one that it
// did not puts it back among the pending ones. A send, not a request: CAF 0.17 keeps a requester's pending
// answers in a vector searched linearly and each request's timeout in its
// clock (a push to the clock thread to set it and one to cancel it), and up
// to max_in_flight fires are out at once. The router answers every fire,
// also when the entity's actor is lost.
void fire(scheduler_pointer self, const timer_key& key, std::function<void(bool)> done) {
  auto& st = self->state;
  auto it = st.pending.find(key);
  if (it == st.pending.end()) {
    done(true);
    return;
  }
  auto& fired = st.in_flight.emplace(key, fired_timer{std::string(it->second), std::move(done)}).first->second;
  st.pending.erase(it);
  self->send(st.router, fire_atom_v, fired.entity, std::string(std::get<1>(key)), std::get<2>(key), std::get<0>(key));
}

// Fires everything due now (real clock, and overdue timers at start).
void fire_due(scheduler_pointer self) {
  auto& st = self->state;
  const std::int64_t now = st.clock->now_ms();
  std::vector<timer_key> due;
  for (const auto& [key, entity] : st.pending) {
    if (std::get<0>(key) > now || st.in_flight.size() + due.size() >= max_in_flight) break;
    due.push_back(key);
  }
  for (const auto& key : due) {
    fire(self, key, [self](bool ok) {
      // A failed fire stays pending; look again a little later.
      schedule_wake(self, self->state.clock->now_ms() + (ok ? 0 : retry_after_ms));
    });
  }
  if (auto next = earliest(self, INT64_MAX)) {
    schedule_wake(self, std::get<0>(*next));
  }
}

// Fires, one after the other in due order, every timer due by `to`.
void advance_step(scheduler_pointer self, std::int64_t to, caf::typed_response_promise<std::int64_t> rp,
                  std::shared_ptr<std::set<timer_key>> failed) {
  auto& st = self->state;
  auto next = earliest(self, to, *failed);
  if (!next) {
    st.clock->set_ms(to);
    rp.deliver(st.clock->now_ms());
    return;
  }
  st.clock->set_ms(std::get<0>(*next));
  fire(self, *next, [self, to, rp, failed, key = *next](bool ok) mutable {
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
  // Everything pending from before a restart; overdue ones fire at once.
  (void)store->scan_timers(INT64_MAX, [self](const storage::rocksdb_event_store::timer_entry& t) {
    add_pending(self, t.due_ms, t.instance_id, t.action, t.entity);
    return true;
  });
  self->send(self, wake_atom_v);
  return {
      [self](timer_atom, std::int64_t due, const std::string& instance, std::int32_t action,
             const std::string& entity) {
        add_pending(self, due, instance, action, entity);
        schedule_wake(self, due);
      },
      [self](untimer_atom, std::int64_t due, const std::string& instance, std::int32_t action) {
        // One being fired is settled by its answer.
        auto& pending = self->state.pending;
        if (auto it = pending.find(timer_ref{due, instance, action}); it != pending.end()) pending.erase(it);
      },
      [self](advance_atom, std::int64_t to) -> caf::result<std::int64_t> {
        auto rp = self->make_response_promise<std::int64_t>();
        self->request(self->state.router, settle_timeout, settle_atom_v)
            .then([self, to, rp](bool) { advance_step(self, to, rp, std::make_shared<std::set<timer_key>>()); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](wake_atom) {
        self->state.wake_at = INT64_MAX;
        fire_due(self);
      },
      [self](fired_atom, std::int64_t due, const std::string& instance, std::int32_t action, bool ok) {
        auto& st = self->state;
        auto it = st.in_flight.find(timer_ref{due, instance, action});
        if (it == st.in_flight.end()) return;
        auto done = std::move(it->second.done);
        const std::string entity = std::move(it->second.entity);
        st.in_flight.erase(it);
        // One that did not go through is pending again: fired again later.
        if (!ok) add_pending(self, due, instance, action, entity);
        done(ok);
      },
      [self](health_atom) -> std::uint64_t { return self->state.pending.size() + self->state.in_flight.size(); },
  };
}

}  // namespace

scheduler_actor spawn_scheduler(caf::actor_system& system, const storage::rocksdb_event_store* store,
                                engine_clock* clock, ingest_router_actor router) {
  return system.spawn(scheduler_behavior, store, clock, std::move(router));
}

}  // namespace herald::actors
