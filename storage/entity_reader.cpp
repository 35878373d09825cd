#include "storage/entity_reader.hpp"

#include <boost/json.hpp>

#include "domain/entity_record.hpp"

namespace json = boost::json;

namespace herald::storage {
namespace {

constexpr std::size_t history_page = 16;

// Returns the record carried by `e`, nullopt if it carries none.
std::optional<domain::entity_record> record_of(const stored_event& e) {
  if (!domain::entity_effect_of(e.event).carries_record) {
    return std::nullopt;
  }
  json::error_code ec;
  json::value v = json::parse(e.event.data, ec);
  if (ec) {
    return std::nullopt;
  }
  auto r = domain::parse_entity_record(v);
  return r ? std::optional<domain::entity_record>(std::move(*r)) : std::nullopt;
}

}  // namespace

result<std::optional<entity_snapshot>> read_entity(const event_store& store,
                                                   const std::string& entity_key) {
  entity_snapshot snap;
  std::optional<domain::entity_record> current, previous;
  std::uint64_t before = UINT64_MAX;
  bool seen = false;
  // Most entities find both records within the first page.
  while (!previous) {
    auto page = store.history(entity_key, before, history_page);
    if (!page) {
      return page.error();
    }
    for (std::uint64_t seq : *page) {
      auto e = store.read(seq);
      if (!e) {
        return e.error();
      }
      // The history holds Herald's own engine events too (the audit trail);
      // the entity's state comes from the events its source sent.
      if (e->kind != domain::event_kind::cloud_event) {
        continue;
      }
      if (!seen) {
        seen = true;
        snap.last_seq = seq;
        snap.deleted = domain::entity_effect_of(e->event).deletes;
      }
      auto record = record_of(*e);
      if (!record) {
        continue;
      }
      if (!current) {
        current = std::move(record);
        snap.data_seq = seq;
        snap.record_json = e->event.data;
      } else {
        previous = std::move(record);
        break;
      }
    }
    if (page->size() < history_page) {
      break;
    }
    before = page->back();
  }
  if (!seen) {
    return std::optional<entity_snapshot>{};
  }
  if (current) {
    snap.changed_fields = domain::changed_fields(previous ? &*previous : nullptr, *current);
  }
  return std::optional<entity_snapshot>{std::move(snap)};
}

result<std::optional<std::string>> read_record_before(const event_store& store,
                                                      const std::string& entity_key,
                                                      std::uint64_t before_seq) {
  std::uint64_t before = before_seq;
  for (;;) {
    auto page = store.history(entity_key, before, history_page);
    if (!page) {
      return page.error();
    }
    for (std::uint64_t seq : *page) {
      auto e = store.read(seq);
      if (!e) {
        return e.error();
      }
      if (e->kind == domain::event_kind::cloud_event && record_of(*e)) {
        return std::optional<std::string>{e->event.data};
      }
    }
    if (page->size() < history_page) {
      return std::optional<std::string>{};
    }
    before = page->back();
  }
}

}  // namespace herald::storage
