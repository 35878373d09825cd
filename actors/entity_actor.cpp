#include "actors/entity_actor.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

#include "domain/entity_record.hpp"
#include "storage/entity_reader.hpp"

namespace herald::actors {
namespace {

struct entity_state {
  entity_view view;
  std::optional<domain::entity_record> record;
  static inline const char* name = "herald.entity";
};

std::optional<domain::entity_record> parse_record(const std::string& text) {
  boost::json::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec) {
    return std::nullopt;
  }
  auto r = domain::parse_entity_record(v);
  return r ? std::optional<domain::entity_record>(std::move(*r)) : std::nullopt;
}

entity_actor::behavior_type entity_behavior(entity_actor::stateful_pointer<entity_state> self,
                                            std::string key, const storage::event_store* store) {
  auto& st = self->state;
  st.view.key = key;
  // Restoring is a point read of the head and one or two records: cheap
  // enough to do on the scheduler thread.
  auto snapshot = storage::read_entity(*store, key);
  if (snapshot && *snapshot) {
    const auto& snap = **snapshot;
    st.view.exists = true;
    st.view.restored = true;
    st.view.deleted = snap.deleted;
    st.view.last_seq = snap.last_seq;
    st.view.record_json = snap.record_json;
    st.view.changed_fields = snap.changed_fields;
    st.record = parse_record(snap.record_json);
  }
  return {
      [self](apply_atom, const entity_update& u) {
        auto& s = self->state;
        if (u.seq <= s.view.last_seq) {
          return;
        }
        s.view.exists = true;
        s.view.last_seq = u.seq;
        s.view.deleted = u.deletes;
        ++s.view.applied;
        if (u.carries_record) {
          auto next = parse_record(u.data_json);
          if (next) {
            s.view.changed_fields = domain::changed_fields(s.record ? &*s.record : nullptr, *next);
            s.record = std::move(next);
            s.view.record_json = u.data_json;
          }
        }
      },
      [self](view_atom) -> entity_view { return self->state.view; },
      [self](passivate_atom) { self->quit(); },
  };
}

}  // namespace

entity_actor spawn_entity(caf::local_actor* parent, std::string key,
                          const storage::event_store* store) {
  return parent->spawn(entity_behavior, std::move(key), store);
}

}  // namespace herald::actors
