#pragma once
// The entity actor: one per mapped-to entity (`Module/Id`), spawned on
// demand by the ingest router, passivated when idle and restored from
// storage when needed again. It keeps the entity's snapshot and the fields
// the last record changed, and runs the entity's workflows (entity_engine):
// it is the single writer of the entity's instances and communications.
//
// The router's messages carry a token; the actor answers each with
// (answered_atom, token, ok) to the router once what it started is durable
// (ok false: the step was not stored). Not requests: see the router's
// answered_atom.
//
//   (apply_atom, token, entity_update)
//                                 applies a durable event; an update at or
//                                 below the known seq is ignored (restores
//                                 already include it), so delivery is
//                                 idempotent; answered once what the event
//                                 started (instances, evaluations) is durable
//   (view_atom) -> entity_view    the current state
//   (fire_atom, token, instance, action)
//                                 a timer fell due; answered once everything
//                                 it caused (instance, attempts, provider
//                                 outcomes) is durable
//   (status_atom, token, attempt, outcome)
//                                 a provider's report on an attempt
//   (persisted_atom, token, ok)   internal: an append completed
//   (passivate_atom)              stops the actor once nothing is in flight
//
// An actor whose step could not be stored answers false from then on and,
// once idle, sends the router (retire_atom, key); it stops when the router
// answers with passivate_atom, so every event the router sent it before is
// answered (a stopped actor's mailbox drops what is not a request). An actor
// that ends otherwise (an exception) sends the router (lost_atom, actor id).

#include <memory>
#include <string>

#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/entity_messages.hpp"
#include "actors/provider_actor.hpp"
#include "storage/event_store.hpp"

namespace herald::actors {

struct engine_context;

using entity_actor = caf::typed_actor<caf::reacts_to<apply_atom, std::uint64_t, entity_update>,
                                      caf::replies_to<view_atom>::with<entity_view>,
                                      caf::reacts_to<fire_atom, std::uint64_t, std::string, std::int32_t>,
                                      caf::reacts_to<status_atom, std::uint64_t, std::string, dispatch_outcome>,
                                      caf::replies_to<operate_atom, operation>::with<operation_result>,
                                      caf::reacts_to<persisted_atom, std::uint64_t, bool>,
                                      caf::reacts_to<passivate_atom>>;

// The durable event an actor is spawned for, when the router has its batch
// in hand: the actor's restore takes it from there instead of reading it
// back from the log (a new entity's history is that one event).
struct spawning_event {
  std::uint64_t seq = 0;
  storage::event_batch batch;  // null: none
  std::size_t index = 0;       // of the event in `batch`
};

// Spawns the actor of `key` for `parent` (the router: it also takes the
// provider answers the actor cannot record, as status_atom), restoring its
// state from `store` (not owned; outlives the actor; reads are
// thread-safe). Without an engine context no workflows run (the entity is
// only tracked).
entity_actor spawn_entity(caf::local_actor* parent, std::string key, const storage::event_store* store,
                          std::shared_ptr<const engine_context> engine, spawning_event first = {});

}  // namespace herald::actors
