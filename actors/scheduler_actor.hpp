#pragma once
// The scheduler: one per node. Durable timers live in the store's timers
// view (due order), the truth for restarts and the queue; the scheduler
// loads them once at start and then keeps the pending ones in memory, told
// of each added and cancelled timer by the entities. It fires every timer
// that is due by asking the ingest router to hand it to the entity that
// owns the instance; a timer stays in the store until that entity has
// durably moved the instance on, so a restart loses none and fires the
// overdue ones at once.
//
//   (timer_atom, due_ms, instance, action, entity)    a timer was added
//   (untimer_atom, due_ms, instance, action)          a timer was cancelled
//   (advance_atom, to_ms) -> now_ms  virtual clock only: first let the engine
//                                    settle (events already accepted are
//                                    handled), then fire everything due up to
//                                    `to_ms`, in due order, each one finished
//                                    before the next, then answer
//   (wake_atom)                      real clock: look for due timers
//   (fired_atom, due_ms, instance, action, ok)
//                                    from the router: a fire is handled (ok)
//                                    or is to be tried again

#include <cstdint>

#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/ingest_router_actor.hpp"

namespace herald::storage {
class rocksdb_event_store;
}

namespace herald::actors {

class engine_clock;

using scheduler_actor = caf::typed_actor<caf::reacts_to<timer_atom, std::int64_t, std::string, std::int32_t, std::string>,
                                         caf::reacts_to<untimer_atom, std::int64_t, std::string, std::int32_t>,
                                         caf::replies_to<advance_atom, std::int64_t>::with<std::int64_t>,
                                         caf::reacts_to<wake_atom>,
                                         caf::replies_to<health_atom>::with<std::uint64_t>,  // pending timers
                                         caf::reacts_to<fired_atom, std::int64_t, std::string, std::int32_t, bool>>;

scheduler_actor spawn_scheduler(caf::actor_system& system, const storage::rocksdb_event_store* store,
                                engine_clock* clock, ingest_router_actor router);

}  // namespace herald::actors
