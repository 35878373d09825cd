#pragma once
// The ingest router: one per node. It receives every durable batch of
// events and hands each entity event to that entity's actor, spawning the
// actor on demand (restored from storage) and passivating actors idle for
// longer than `passivate_after_ms`.
//
//   (route_atom, batch, seqs)            seqs[i] is event i's sequence number,
//                                        0 for a duplicate (not routed)
//   (view_atom, key) -> entity_view      asks the entity's actor (spawning it)
//   (sweep_atom, now_ms) -> count        passivates actors idle at now_ms (they
//                                        leave the live set at once and are
//                                        stopped in chunks, see below)
//   (passivate_atom)                     internal: stops the next chunk
//   (live_atom) -> count                 actors currently alive
//   (tick_atom)                          periodic sweep on the injected clock
//   (checkpoint_atom)                    records the engine checkpoint
//   (fire_atom, entity, instance, action, due)
//                                        from the scheduler: hands a due timer
//                                        to the entity's actor, and once it is
//                                        handled answers the sender
//                                        (fired_atom, due, instance, action, ok)
//                                        (sends, not requests: see answered_atom)
//   (status_atom, owner, attempt, outcome)
//                                        a provider's report on an attempt,
//                                        for the entity that owns it (held
//                                        and sent again like an event if its
//                                        step cannot be stored)
//   (operate_atom, owner, operation) -> operation_result
//                                        an operator's request, for the
//                                        entity that owns its target
//   (settle_atom) -> bool                answers once every routed event has
//                                        been handled by its entity (what it
//                                        started is durable)
//   (retry_atom, key)                    internal: sends a held entity's next
//                                        event or report again (its engine
//                                        step could not be stored)
//   (stats_atom) -> router_stats         live actors, retries, checkpoint, events waiting
//   (answered_atom, token, ok)           from an entity actor: what the router
//                                        sent it as `token` (an event, a fire,
//                                        a report) is handled (false: its step
//                                        was not stored; the entity is held).
//                                        Events, fires and reports go to entity
//                                        actors as sends, not requests: CAF 0.17
//                                        keeps a requester's pending answers in
//                                        a vector searched linearly, and under a
//                                        backlog the router has tens of
//                                        thousands out
//   (retire_atom, key)                   from a broken entity actor, idle: it
//                                        leaves the live set and is stopped
//   (lost_atom, actor_id)                an entity actor ended abnormally:
//                                        what it was not answered goes again

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/backlog_gauge.hpp"
#include "actors/entity_messages.hpp"
#include "actors/provider_actor.hpp"
#include "storage/event_store.hpp"

// Batches travel by shared pointer between threads of one node and are
// never serialised (they are in the log already).
namespace herald::actors {
struct router_stats {
  std::uint64_t live_entities = 0;
  std::uint64_t retries = 0;           // events and provider reports routed again since start
  std::uint64_t waiting_to_retry = 0;  // events and provider reports routed again later
  std::uint64_t handled_through = 0;   // every routed event at or below it is handled
  std::uint64_t waiting_to_route = 0;  // routed events waiting for room (max_events_at_entities)
};

}  // namespace herald::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::storage::event_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::router_stats)

namespace caf {
class actor_system;
}

namespace herald::actors {

struct engine_context;

using ingest_router_actor =
    caf::typed_actor<caf::reacts_to<route_atom, storage::event_batch, std::vector<std::uint64_t>>,
                     caf::replies_to<view_atom, std::string>::with<entity_view>,
                     caf::replies_to<sweep_atom, std::int64_t>::with<std::uint64_t>,
                     caf::replies_to<live_atom>::with<std::uint64_t>,
                     caf::reacts_to<tick_atom>,
                     caf::reacts_to<fire_atom, std::string, std::string, std::int32_t, std::int64_t>,
                     caf::reacts_to<status_atom, std::string, std::string, dispatch_outcome>,
                     caf::replies_to<operate_atom, std::string, operation>::with<operation_result>,
                     caf::replies_to<settle_atom>::with<bool>,
                     caf::reacts_to<checkpoint_atom>,
                     caf::reacts_to<passivate_atom>,
                     caf::reacts_to<retry_atom, std::string>,
                     caf::replies_to<stats_atom>::with<router_stats>,
                     caf::reacts_to<answered_atom, std::uint64_t, bool>,
                     caf::reacts_to<retire_atom, std::string>,
                     caf::reacts_to<lost_atom, caf::actor_id>>;

struct ingest_router_config {
  const storage::event_store* store = nullptr;  // not owned; outlives the router
  std::int64_t passivate_after_ms = 60000;
  std::function<std::int64_t()> clock_ms;  // "now"; defaults to the system clock
  bool periodic_sweep = true;              // tick every passivate_after_ms / 2
  // Shared with every entity actor; null runs no workflows.
  std::shared_ptr<const engine_context> engine;
  // Records that every routed event at or below a seq has been handled
  // (called at most every `checkpoint_every_ms`, and when the router stops).
  std::function<void(std::uint64_t)> checkpoint;
  std::int64_t checkpoint_every_ms = 1000;
  // Senders of route_atom add a batch's size to `events` before sending;
  // the router takes each event off once handled. Null: not counted.
  std::shared_ptr<backlog_gauge> backlog;
  // First wait before routing again an event whose engine step could not be
  // stored (doubles per failure, up to a minute).
  std::int64_t retry_after_ms = 1000;
  // Routed events handed to entity actors and not yet answered, at most;
  // the others wait at the router, in seq order, as a reference into their
  // batch. Without a bound a burst handed every event over at once: an
  // actor spawned for each, and each step's working set and append held
  // until the store caught up (a fresh 100,000-event run peaked at
  // 0.7 - 1.2 GB resident instead of ≈ 0.5).
  std::size_t max_events_at_entities = 4096;
};

ingest_router_actor spawn_ingest_router(caf::actor_system& system, ingest_router_config config);

}  // namespace herald::actors
