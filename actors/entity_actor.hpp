#pragma once
// The entity actor: one per mapped-to entity (`Module/Id`), spawned on
// demand by the ingest router, passivated when idle and restored from
// storage when needed again. It keeps the entity's snapshot and the fields
// the last record changed (for `changed`/`changed_to` rules).
//
//   (apply_atom, entity_update)  applies a durable event; an update at or
//                                below the known seq is ignored (restores
//                                already include it), so delivery is idempotent
//   (view_atom) -> entity_view   the current state
//   (passivate_atom)             stops the actor; its state is in storage

#include <string>

#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/entity_messages.hpp"

namespace herald::storage {
class event_store;
}

namespace herald::actors {

using entity_actor = caf::typed_actor<caf::reacts_to<apply_atom, entity_update>,
                                      caf::replies_to<view_atom>::with<entity_view>,
                                      caf::reacts_to<passivate_atom>>;

// Spawns the actor of `key`, restoring its state from `store` (not owned;
// must outlive the actor; reads are thread-safe).
entity_actor spawn_entity(caf::local_actor* parent, std::string key,
                          const storage::event_store* store);

}  // namespace herald::actors
