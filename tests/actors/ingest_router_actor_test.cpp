#include <catch2/catch.hpp>

#include <atomic>

#include <caf/all.hpp>

#include "actors/actor_system_setup.hpp"

#include <boost/json.hpp>

#include "actors/ingest_router_actor.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "tests/support/events.hpp"
#include "tests/support/temp_dir.hpp"

using namespace herald::actors;
using herald::test::delegate_record;
using herald::test::make_event;

namespace {

struct actor_fixture {
  actor_fixture() {
    herald::storage::store_options so;
    so.path = dir.sub("data");
    store = std::move(*herald::storage::rocksdb_event_store::open(so));
    herald::actors::configure_actor_system(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
    ingest_router_config rc;
    rc.store = store.get();
    rc.passivate_after_ms = 1000;
    rc.clock_ms = [this] { return now.load(); };
    rc.periodic_sweep = false;
    router = spawn_ingest_router(*system, rc);
  }
  ~actor_fixture() {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    system.reset();
  }

  // Appends durably, then routes like `herald serve` does.
  void ingest(std::vector<herald::domain::cloud_event> events) {
    auto batch = std::make_shared<const std::vector<herald::domain::cloud_event>>(std::move(events));
    auto out = store->append(*batch);
    REQUIRE(out);
    caf::scoped_actor self{*system};
    self->send(router, route_atom_v, herald::storage::event_batch(batch), out->seqs);
  }

  template <class Reply, class... Ts>
  Reply ask(Ts... xs) {
    caf::scoped_actor self{*system};
    using reply = Reply;
    reply out{};
    self->request(router, std::chrono::seconds(10), xs...)
        .receive([&](const reply& r) { out = r; },
                 [&](caf::error& e) { FAIL("request failed: " << system->render(e)); });
    return out;
  }

  herald::test::temp_dir dir;
  std::unique_ptr<herald::storage::rocksdb_event_store> store;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  ingest_router_actor router;
  std::atomic<std::int64_t> now{1000000};
};

}  // namespace

TEST_CASE("entity actors keep the snapshot and the fields the last record changed", "[actors]") {
  actor_fixture f;
  f.ingest({make_event("1", "Delegate/d-1", "delegate.saved", delegate_record("Booked")),
            make_event("2", "Delegate/d-2", "delegate.saved", delegate_record("Booked")),
            make_event("3", "report", "report.made")});
  f.ingest({make_event("4", "Delegate/d-1", "delegate.saved", delegate_record("Cancelled"))});
  auto v = f.ask<entity_view>(view_atom_v, std::string("Delegate/d-1"));
  CHECK(v.exists);
  CHECK(v.last_seq == 4);
  CHECK(v.changed_fields == std::vector<std::string>{"Status"});
  CHECK(boost::json::parse(v.record_json).at("fields").at("Status") == "Cancelled");
  CHECK(f.ask<std::uint64_t>(live_atom_v) == 2);  // one actor per entity, none for plain events
}

TEST_CASE("entity actors taking turns on the same threads each answer from their own state", "[actors]") {
  // Every entity actor runs the same shared handlers, which find their
  // actor as the one the thread is running: interleaved messages of many
  // actors must still each reach their own state.
  actor_fixture f;
  constexpr int entities = 64;
  for (const char* status : {"Booked", "Cancelled"}) {
    std::vector<herald::domain::cloud_event> batch;
    for (int e = 0; e < entities; ++e) {
      const std::string n = std::to_string(e);
      batch.push_back(make_event(std::string(status) + "-" + n, "Delegate/d-" + n, "delegate.saved",
                                 delegate_record(status, "CourseDate/cd-" + n)));
    }
    f.ingest(std::move(batch));
  }
  for (int e = 0; e < entities; ++e) {
    const std::string n = std::to_string(e);
    const auto v = f.ask<entity_view>(view_atom_v, "Delegate/d-" + n);
    CHECK(v.key == "Delegate/d-" + n);
    CHECK(v.last_seq == static_cast<std::uint64_t>(entities + e + 1));  // its second event
    CHECK(v.changed_fields == std::vector<std::string>{"Status"});
    const auto record = boost::json::parse(v.record_json);
    CHECK(record.at("fields").at("Status") == "Cancelled");
    CHECK(boost::json::value_to<std::string>(record.at("links").at("CourseDate")) == "CourseDate/cd-" + n);
  }
  CHECK(f.ask<std::uint64_t>(live_atom_v) == static_cast<std::uint64_t>(entities));
}

TEST_CASE("idle entity actors are passivated and restored from storage", "[actors][passivation]") {
  actor_fixture f;
  f.ingest({make_event("1", "Delegate/d-1", "delegate.saved", delegate_record("Booked"))});
  // Events are durable before they are routed, so a new actor starts from storage.
  CHECK(f.ask<entity_view>(view_atom_v, std::string("Delegate/d-1")).restored);
  f.ingest({make_event("2", "Delegate/d-1", "delegate.saved", delegate_record("Booked", "CourseDate/cd-9"))});
  const auto live_view = f.ask<entity_view>(view_atom_v, std::string("Delegate/d-1"));
  CHECK(live_view.applied == 1);  // the live actor applied the second event itself
  CHECK(live_view.last_seq == 2);
  CHECK(live_view.changed_fields == std::vector<std::string>{"CourseDate"});

  CHECK(f.ask<std::uint64_t>(sweep_atom_v, f.now.load() + 999) == 0);  // not idle long enough
  CHECK(f.ask<std::uint64_t>(sweep_atom_v, f.now.load() + 1000) == 1);
  CHECK(f.ask<std::uint64_t>(live_atom_v) == 0);

  const auto restored = f.ask<entity_view>(view_atom_v, std::string("Delegate/d-1"));
  CHECK(restored.restored);
  CHECK(restored.applied == 0);  // a new actor: nothing applied since its spawn
  CHECK(restored.last_seq == live_view.last_seq);
  CHECK(restored.record_json == live_view.record_json);
  CHECK(restored.changed_fields == live_view.changed_fields);
  CHECK(f.ask<std::uint64_t>(live_atom_v) == 1);
}

TEST_CASE("an update the restored state already holds is not applied twice", "[actors]") {
  actor_fixture f;
  // Stored but not yet routed: the actor restores with it, then receives it.
  auto batch = std::make_shared<const std::vector<herald::domain::cloud_event>>(
      std::vector{make_event("1", "Delegate/d-1", "delegate.saved", delegate_record("Booked"))});
  auto out = f.store->append(*batch);
  REQUIRE(out);
  CHECK(f.ask<entity_view>(view_atom_v, std::string("Delegate/d-1")).restored);
  {
    caf::scoped_actor self{*f.system};
    self->send(f.router, route_atom_v, herald::storage::event_batch(batch), out->seqs);
  }
  auto v = f.ask<entity_view>(view_atom_v, std::string("Delegate/d-1"));
  CHECK(v.applied == 0);
  CHECK(v.last_seq == 1);
}

TEST_CASE("a deleted entity's actor knows it is deleted", "[actors]") {
  actor_fixture f;
  f.ingest({make_event("1", "Invoice/i-1", "invoice.saved", R"({"label":"I1"})"),
            make_event("2", "Invoice/i-1", "invoice.deleted")});
  auto v = f.ask<entity_view>(view_atom_v, std::string("Invoice/i-1"));
  CHECK(v.deleted);
  CHECK(v.last_seq == 2);
}
