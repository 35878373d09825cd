#include "storage/entity_reader.hpp"

#include <boost/json.hpp>

#include "domain/entity_record.hpp"
#include "domain/scratch_json.hpp"

namespace json = boost::json;

namespace herald::storage {
namespace {

constexpr std::size_t history_page = 16;

// Returns the record carried by `e`, nullopt if it carries none.
std::optional<domain::entity_record> record_of(const domain::cloud_event& e) {
  if (!domain::entity_effect_of(e).carries_record) {
    return std::nullopt;
  }
  const domain::scratch_json v(e.data);  // parse_entity_record copies what it keeps
  if (!v.ok()) {
    return std::nullopt;
  }
  auto r = domain::parse_entity_record(v.value());
  return r ? std::optional<domain::entity_record>(std::move(*r)) : std::nullopt;
}

// What a walk of the history saw.
struct walk_seen {
  bool whole = false;          // it reached the oldest event
  bool engine_events = false;  // some event Herald wrote was among them
};

using source_event_visitor = std::function<bool(std::uint64_t seq, const domain::cloud_event&)>;

// Visits the events its source sent about the entity (engine events in the
// history are skipped, unread when the history says what they are), newest
// first, below `before`, until `visit` says stop. The `known` event is not
// read from the store.
status walk_source_events(const event_store& store, const std::string& entity_key, std::uint64_t before,
                          const source_event_visitor& visit, walk_seen* seen = nullptr, known_event known = {}) {
  for (;;) {
    auto page = store.history_entries(entity_key, before, history_page);
    if (!page) {
      return page.error();
    }
    for (const auto& entry : *page) {
      if (entry.kind && *entry.kind != domain::event_kind::cloud_event) {
        if (seen) seen->engine_events = true;
        continue;
      }
      if (known.event && entry.seq == known.seq) {
        if (!visit(entry.seq, *known.event)) return status::ok();
        continue;
      }
      auto e = store.read(entry.seq);
      if (!e) {
        return e.error();
      }
      if (e->kind != domain::event_kind::cloud_event) {
        if (seen) seen->engine_events = true;
      } else if (!visit(e->seq, e->event)) {
        return status::ok();
      }
    }
    if (page->size() < history_page) {
      if (seen) seen->whole = true;
      return status::ok();
    }
    before = page->back().seq;
  }
}

}  // namespace

result<std::optional<entity_snapshot>> read_entity(const event_store& store,
                                                   const std::string& entity_key, known_event known) {
  entity_snapshot snap;
  std::optional<domain::entity_record> current, previous;
  bool seen = false;
  walk_seen walked;
  // Most entities find both records within the first page of history.
  auto st = walk_source_events(store, entity_key, UINT64_MAX, [&](std::uint64_t seq, const domain::cloud_event& e) {
    if (!seen) {
      seen = true;
      snap.last_seq = seq;
      snap.deleted = domain::entity_effect_of(e).deletes;
    }
    auto record = record_of(e);
    if (!record) {
      return true;
    }
    if (!current) {
      current = std::move(record);
      snap.data_seq = seq;
      snap.record_json = e.data;
      return true;
    }
    previous = std::move(record);
    snap.previous_record_json = e.data;
    return false;
  }, &walked, known);
  if (!st) {
    return st;
  }
  if (!seen) {
    return std::optional<entity_snapshot>{};
  }
  if (current) {
    snap.changed_fields = domain::changed_fields(previous ? &*previous : nullptr, *current);
    snap.record = std::move(current);
  }
  snap.no_engine_history = walked.whole && !walked.engine_events;
  return std::optional<entity_snapshot>{std::move(snap)};
}

result<std::optional<std::string>> read_record_before(const event_store& store,
                                                      const std::string& entity_key,
                                                      std::uint64_t before_seq) {
  std::optional<std::string> found;
  auto st = walk_source_events(store, entity_key, before_seq, [&](std::uint64_t, const domain::cloud_event& e) {
    if (!record_of(e)) {
      return true;
    }
    found = e.data;
    return false;
  });
  if (!st) {
    return st;
  }
  return found;
}

}  // namespace herald::storage
