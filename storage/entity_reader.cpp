#include "storage/entity_reader.hpp"

#include <boost/json.hpp>

#include "domain/entity_record.hpp"

namespace json = boost::json;

namespace herald::storage {
namespace {

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
  auto head = store.head(entity_key);
  if (!head) {
    return head.error();
  }
  if (!*head) {
    return std::optional<entity_snapshot>{};
  }
  entity_snapshot snap;
  snap.head = **head;
  if (snap.head.data_seq == 0) {
    return std::optional<entity_snapshot>{std::move(snap)};
  }
  auto latest = store.read(snap.head.data_seq);
  if (!latest) {
    return latest.error();
  }
  snap.record_json = latest->event.data;
  auto current = record_of(*latest);
  if (!current) {
    return std::optional<entity_snapshot>{std::move(snap)};
  }
  // Walk back to the previous record-carrying event; most entities have one
  // a step or two back, so pages are small.
  std::optional<domain::entity_record> previous;
  std::uint64_t before = snap.head.data_seq;
  while (!previous) {
    auto page = store.history(entity_key, before, 16);
    if (!page) {
      return page.error();
    }
    if (page->empty()) {
      break;
    }
    for (std::uint64_t seq : *page) {
      auto e = store.read(seq);
      if (!e) {
        return e.error();
      }
      if ((previous = record_of(*e))) {
        break;
      }
    }
    before = page->back();
  }
  snap.changed_fields = domain::changed_fields(previous ? &*previous : nullptr, *current);
  return std::optional<entity_snapshot>{std::move(snap)};
}

}  // namespace herald::storage
