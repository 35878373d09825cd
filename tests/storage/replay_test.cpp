#include <catch2/catch.hpp>

#include "domain/engine_event.hpp"
#include "storage/key_layout.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "tests/support/events.hpp"
#include "tests/support/temp_dir.hpp"

using namespace herald::storage;
using herald::test::delegate_record;
using herald::test::make_event;

namespace {
using dump = std::vector<std::pair<std::string, std::string>>;

std::vector<dump> projections(const rocksdb_event_store& store) {
  std::vector<dump> out;
  for (const char* cf : {cf_dedup, cf_entity_history}) {
    auto d = store.dump_column(cf);
    REQUIRE(d);
    out.push_back(*d);
  }
  return out;
}

void fill(event_store& store) {
  for (int round = 0; round < 3; ++round) {
    std::vector<herald::domain::cloud_event> batch;
    for (int i = 0; i < 20; ++i) {
      const std::string id = std::to_string(round) + "-" + std::to_string(i);
      const std::string subject = "Delegate/d-" + std::to_string(i % 7);
      batch.push_back(make_event(id, subject, i % 5 == 4 ? "delegate.deleted" : "delegate.saved",
                                 i % 5 == 4 ? "" : delegate_record(round % 2 ? "Booked" : "Cancelled")));
      batch.push_back(make_event("plain-" + id));
    }
    batch.push_back(make_event("0-0", "Delegate/d-0"));  // a duplicate
    REQUIRE(store.append(std::move(batch)));
    // Herald's own events with ids unique by construction: in the entity's
    // history, not in dedup, and replay must agree.
    REQUIRE(store.append({herald::domain::engine::make_unique_event(herald::domain::engine::links_updated,
                                                                    "Delegate/d-1", R"({"links":{}})", "")},
                         herald::domain::event_kind::engine_event));
  }
}
}  // namespace

TEST_CASE("replay rebuilds exactly the projections ingest wrote", "[storage][replay]") {
  herald::test::temp_dir dir;
  store_options o;
  o.path = dir.str();
  auto store = std::move(*rocksdb_event_store::open(o));
  fill(*store);
  const auto live = projections(*store);
  REQUIRE(live[1].size() == 63);  // every delegate event is in its history, Herald's three too
  REQUIRE(live[0].size() == 120);  // dedup: the 120 distinct ingested events, none of Herald's three

  std::uint64_t reported = 0;
  replay_options full;
  full.progress = [&](std::uint64_t applied, std::uint64_t, std::uint64_t) { reported = applied; };
  REQUIRE(store->rebuild_projections(full));
  CHECK(reported == store->last_seq());
  CHECK(projections(*store) == live);
  REQUIRE(store->rebuild_projections(full));  // twice gives the same
  CHECK(projections(*store) == live);

  replay_options one;
  one.filter.entity = "Delegate/d-3";
  REQUIRE(store->rebuild_projections(one));
  CHECK(projections(*store) == live);

  replay_options range;
  range.filter.from_seq = 10;
  range.filter.to_seq = 50;
  REQUIRE(store->rebuild_projections(range));
  CHECK(projections(*store) == live);

  // Appends after a replay continue normally and see the rebuilt dedup index.
  CHECK(store->append({make_event("1-1", "Delegate/d-1")})->duplicates == 1);
}
