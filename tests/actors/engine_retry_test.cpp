// An engine step that cannot be stored (the disk fails between an event's
// acknowledgement and its workflow step): the router neither counts the
// event handled nor lets the checkpoint pass it, and routes it again, from
// the log to a fresh actor, once the disk works; later events of the same
// entity wait behind it. A provider's answer whose step was refused is not
// in the log: the router holds it and hands it to the fresh actor.

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <date/tz.h>

#include "actors/actor_system_setup.hpp"
#include "actors/engine_context.hpp"
#include "actors/ingest_router_actor.hpp"
#include "domain/entity_record.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "storage/storage_faults.hpp"
#include "tests/support/events.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/temp_dir.hpp"

using namespace herald::actors;
using herald::storage::storage_fault;
using herald::test::make_event;

namespace {

struct engine_fixture {
  explicit engine_fixture(std::size_t max_events_at_entities = ingest_router_config{}.max_events_at_entities) {
    herald::storage::store_options so;
    so.path = dir.sub("data");
    so.faults = faults;
    store = std::move(*herald::storage::rocksdb_event_store::open(so));
    REQUIRE(definitions.put("template", "t", 1, R"({"channel":"email","subject":"Hello @@label","text":"Hi"})"));
    REQUIRE(definitions.put("workflow", "w", 1, R"({"title":"Welcome","module":"Delegate","trigger":{"on":"delegate.saved"},
      "rules":[{"field":"Status","op":"eq","value":"Booked"}],
      "actions":[{"kind":"send","template":"t","to":["@self"],"channels":["email"],"category":"Booking"}]})"));
    configure_actor_system(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
    engine = std::make_shared<engine_context>();
    engine->store = store.get();
    engine->definitions = &definitions;
    engine->clock = &clock;
    engine->calendar = *herald::domain::business_calendar::make(herald::domain::organisation_config{},
                                                              date::locate_zone("Europe/London"));
    engine->provider = spawn_sandbox_provider(*system, 0.0, [this] { return clock.now_ms(); });
    ingest_router_config rc;
    rc.store = store.get();
    rc.engine = engine;
    rc.periodic_sweep = false;
    rc.retry_after_ms = 20;
    rc.max_events_at_entities = max_events_at_entities;
    rc.checkpoint = [this](std::uint64_t seq) { checkpoint = seq; };
    rc.checkpoint_every_ms = 3600000;  // asked for explicitly below
    router = spawn_ingest_router(*system, rc);
    engine->scheduler = spawn_scheduler(*system, store.get(), &clock, router);
  }
  ~engine_fixture() {
    faults->set(storage_fault::none);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(engine->scheduler, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(engine->provider, caf::exit_reason::user_shutdown);
    system.reset();
  }

  struct appended {
    herald::storage::event_batch batch;
    std::vector<std::uint64_t> seqs;
  };
  // Appends durably (the disk working), as ingest does before it answers.
  appended append(herald::domain::cloud_event ev) {
    auto batch = std::make_shared<const std::vector<herald::domain::cloud_event>>(std::vector{std::move(ev)});
    auto out = store->append(*batch);
    REQUIRE(out);
    return {batch, out->seqs};
  }
  // Then routes it, as ingest does.
  std::uint64_t route(const appended& a) {
    caf::scoped_actor self{*system};
    self->send(router, route_atom_v, a.batch, a.seqs);
    return a.seqs.at(0);
  }

  // Workflow w's action a second after the event instead of at once: it
  // goes through a timer.
  void welcome_one_second_later() {
    REQUIRE(definitions.put("workflow", "w", 2, R"({"title":"Welcome","module":"Delegate","trigger":{"on":"delegate.saved"},
      "rules":[{"field":"Status","op":"eq","value":"Booked"}],
      "actions":[{"kind":"send","template":"t","to":["@self"],"channels":["email"],"delay":"PT1S","category":"Booking"}]})"));
  }

  entity_view view(const std::string& key) {
    caf::scoped_actor self{*system};
    entity_view out;
    self->request(router, std::chrono::seconds(10), view_atom_v, key)
        .receive([&](const entity_view& v) { out = v; }, [&](caf::error& e) { FAIL(system->render(e)); });
    return out;
  }

  router_stats stats() {
    caf::scoped_actor self{*system};
    router_stats out;
    self->request(router, std::chrono::seconds(10), stats_atom_v)
        .receive([&](const router_stats& s) { out = s; }, [&](caf::error& e) { FAIL(system->render(e)); });
    return out;
  }

  // The status of the one attempt logged ("" if there is none yet).
  std::string only_attempt_status() {
    std::string status;
    REQUIRE(store->scan_index(herald::storage::rocksdb_event_store::index_kind::log, "", "",
                              [&](const std::string& id, const std::string&) {
                                auto text = store->view(herald::storage::rocksdb_event_store::view_kind::attempt, id);
                                REQUIRE(text);
                                REQUIRE(*text);
                                status = boost::json::parse(**text).at("status").as_string().c_str();
                                return false;
                              }));
    return status;
  }

  std::size_t attempts_logged() {
    std::size_t n = 0;
    REQUIRE(store->scan_index(herald::storage::rocksdb_event_store::index_kind::log, "", "",
                              [&](const std::string&, const std::string&) { return ++n < 100; }));
    return n;
  }

  // Polls `done` for up to 10 s (the router's retries run on the real clock).
  template <class F>
  bool eventually(F done) {
    return herald::test::eventually(done);
  }

  herald::test::temp_dir dir;
  std::shared_ptr<herald::storage::storage_faults> faults = std::make_shared<herald::storage::storage_faults>();
  std::unique_ptr<herald::storage::rocksdb_event_store> store;
  definition_registry definitions;
  engine_clock clock = engine_clock::system();
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  std::shared_ptr<engine_context> engine;
  ingest_router_actor router;
  std::atomic<std::uint64_t> checkpoint{0};
};

const std::string booked = R"({"label":"Jane","fields":{"Status":"Booked"},"contact":{"email":"jane@example.com"}})";
// The same delegate, its booking cancelled: only Status changes.
const std::string cancelled = R"({"label":"Jane","fields":{"Status":"Cancelled"},"contact":{"email":"jane@example.com"}})";

}  // namespace

TEST_CASE("an engine step the disk refused runs again once it works, in order, and holds the checkpoint",
          "[actors][engine][faults]") {
  engine_fixture f;
  const auto first = f.append(make_event("1", "Delegate/d-1", "delegate.saved", booked));
  f.route(first);
  // Handled: its attempt is logged and the sandbox's answer recorded too.
  REQUIRE(f.eventually([&] { return f.stats().handled_through >= first.seqs[0]; }));
  REQUIRE(f.attempts_logged() == 1);
  const std::size_t running_with_one_entity = f.system->registry().running();

  // Two more events are durable; then the disk fails before the workflow
  // step of the first of them.
  const auto second = f.append(make_event("2", "Delegate/d-2", "delegate.saved", booked));
  const auto third = f.append(make_event("3", "Delegate/d-2", "delegate.saved", booked));
  f.faults->set(storage_fault::write_error);
  f.route(second);
  REQUIRE(f.eventually([&] { return f.stats().retries >= 1; }));
  // A later event of that entity waits behind it; the checkpoint stays
  // below the event that was not handled.
  f.route(third);
  auto stats = f.stats();
  CHECK(stats.waiting_to_retry == 2);
  CHECK(stats.handled_through < second.seqs[0]);
  CHECK(f.attempts_logged() == 1);

  f.faults->set(storage_fault::none);
  REQUIRE(f.eventually([&] { return f.stats().waiting_to_retry == 0; }));
  CHECK(f.stats().handled_through >= third.seqs[0]);
  // Its communication went out once (the third event is a later save of a
  // once-per-entity workflow: nothing more), as did the first entity's.
  REQUIRE(f.eventually([&] { return f.attempts_logged() >= 2; }));
  CHECK(f.attempts_logged() == 2);
  caf::anon_send(f.router, checkpoint_atom_v);
  CHECK(f.eventually([&] { return f.checkpoint.load() >= third.seqs[0]; }));
  // The actor whose step was refused asked to retire and has stopped: one
  // actor per entity is left.
  CHECK(f.stats().live_entities == 2);
  CHECK(f.eventually([&] { return f.system->registry().running() == running_with_one_entity + 1; }));
}

namespace {

// A provider that calls its provider, answers, and then the disk fails
// before the answer is recorded: the fault is set while answering, so the
// step recording the answer is the first write to fail. `immediate`: it
// answers with the delivery; otherwise "accepted" (nothing yet), as the
// HTTP providers do before their report.
provider_actor spawn_provider_failing_the_disk(caf::actor_system& system,
                                               std::shared_ptr<herald::storage::storage_faults> faults,
                                               std::shared_ptr<std::atomic<int>> calls, bool immediate) {
  return system.spawn([faults, calls, immediate]() -> provider_actor::behavior_type {
    return {
        [faults, calls, immediate](dispatch_atom, const dispatch_request_ptr& req) -> dispatch_outcome {
          ++*calls;
          dispatch_outcome out;
          if (!immediate) return out;
          out.provider_message_id = "p-" + req->attempt.id;
          out.statuses.push_back({"sent", "", 1});
          out.statuses.push_back({"delivered", "", 2});
          faults->set(storage_fault::write_error);
          return out;
        },
        [](health_atom) { return provider_health{}; },
        [](wake_atom) {},
    };
  });
}

// Makes `provider` the engine's and books Delegate/d-1 (appended and routed).
engine_fixture::appended book_with(engine_fixture& f, provider_actor provider) {
  caf::anon_send_exit(f.engine->provider, caf::exit_reason::user_shutdown);
  f.engine->provider = std::move(provider);
  auto first = f.append(make_event("1", "Delegate/d-1", "delegate.saved", booked));
  f.route(first);
  return first;
}

}  // namespace

TEST_CASE("a provider's answer the disk refused to record is recorded once it works, without a second call",
          "[actors][engine][faults]") {
  engine_fixture f;
  auto calls = std::make_shared<std::atomic<int>>(0);
  const auto first = book_with(f, spawn_provider_failing_the_disk(*f.system, f.faults, calls, true));
  // The attempt was stored (queued) and handed over; recording the answer failed.
  REQUIRE(f.eventually([&] { return f.stats().retries >= 1; }));
  CHECK(f.only_attempt_status() == "queued");
  CHECK(f.stats().waiting_to_retry == 1);

  f.faults->set(storage_fault::none);
  REQUIRE(f.eventually([&] { return f.only_attempt_status() == "delivered"; }));
  CHECK(f.eventually([&] { return f.stats().waiting_to_retry == 0; }));
  CHECK(calls->load() == 1);
  CHECK(f.attempts_logged() == 1);
}

TEST_CASE("a provider's later report the disk refused to record is recorded once it works",
          "[actors][engine][faults]") {
  engine_fixture f;
  auto calls = std::make_shared<std::atomic<int>>(0);
  const auto first = book_with(f, spawn_provider_failing_the_disk(*f.system, f.faults, calls, false));
  REQUIRE(f.eventually([&] { return f.stats().handled_through >= first.seqs[0] && calls->load() == 1; }));
  REQUIRE(f.only_attempt_status() == "queued");
  std::string attempt_id;
  REQUIRE(f.store->scan_index(herald::storage::rocksdb_event_store::index_kind::log, "", "",
                              [&](const std::string& id, const std::string&) {
                                attempt_id = id;
                                return false;
                              }));

  // The report comes (as a webhook or an HTTP provider's answer does) while
  // the disk fails.
  f.faults->set(storage_fault::write_error);
  dispatch_outcome report;
  report.statuses.push_back({"delivered", "", 3});
  caf::anon_send(f.router, status_atom_v, std::string("Delegate/d-1"), attempt_id, report);
  REQUIRE(f.eventually([&] { return f.stats().retries >= 1; }));
  CHECK(f.only_attempt_status() == "queued");

  f.faults->set(storage_fault::none);
  REQUIRE(f.eventually([&] { return f.only_attempt_status() == "delivered"; }));
  CHECK(f.eventually([&] { return f.stats().waiting_to_retry == 0; }));
  CHECK(calls->load() == 1);
}

namespace {

// Books Delegate/d-1 with the sandbox and waits until the attempt is
// delivered and the idle actor has let go of its views; returns its id.
std::string book_delivered_and_released(engine_fixture& f);

// A bounce of `attempt_id` as a provider's webhook reports it.
void report_bounce(engine_fixture& f, const std::string& attempt_id) {
  dispatch_outcome report;
  report.statuses.push_back({"bounced", "mailbox full", 5});
  caf::anon_send(f.router, status_atom_v, std::string("Delegate/d-1"), attempt_id, report);
}

entity_view view_of(engine_fixture& f, const std::string& key) {
  caf::scoped_actor self{*f.system};
  entity_view out;
  self->request(f.router, std::chrono::seconds(10), view_atom_v, key)
      .receive([&](const entity_view& v) { out = v; }, [&](caf::error& e) { FAIL(f.system->render(e)); });
  return out;
}

std::string book_delivered_and_released(engine_fixture& f) {
  f.route(f.append(make_event("1", "Delegate/d-1", "delegate.saved", booked)));
  REQUIRE(f.eventually([&] { return f.only_attempt_status() == "delivered"; }));
  // Once its last step is durable the actor lets go of the instance, the
  // communication and the attempt: the store holds them.
  REQUIRE(f.eventually([&] { return view_of(f, "Delegate/d-1").views_held == 0; }));
  std::string attempt_id;
  REQUIRE(f.store->scan_index(herald::storage::rocksdb_event_store::index_kind::log, "", "",
                              [&](const std::string& id, const std::string&) {
                                attempt_id = id;
                                return false;
                              }));
  return attempt_id;
}

}  // namespace

TEST_CASE("an idle entity actor keeps no settled views and reads them back for a later report",
          "[actors][engine][memory]") {
  engine_fixture f;
  const std::string attempt_id = book_delivered_and_released(f);
  CHECK(f.stats().live_entities == 1);  // still live, only smaller

  // A bounce reported later needs the communication and the instance again
  // (its status, then whether another channel follows).
  report_bounce(f, attempt_id);
  using store_t = herald::storage::rocksdb_event_store;
  auto status_of = [&](const std::string& id) {
    auto text = f.store->view(store_t::view_kind::attempt, id);
    return text && *text ? std::string(boost::json::parse(**text).at("status").as_string()) : std::string();
  };
  REQUIRE(f.eventually([&] { return status_of(attempt_id) == "bounced"; }));
  // No other channel follows email here: the communication's next attempt
  // is a manual task (the fall-back needed the instance's workflow back).
  REQUIRE(f.eventually([&] { return f.attempts_logged() == 2; }));
  CHECK(f.only_attempt_status() == "task_open");
  auto comm = f.store->view(store_t::view_kind::communication, attempt_id.substr(0, attempt_id.rfind('.')));
  REQUIRE(comm);
  REQUIRE(*comm);
  CHECK(boost::json::parse(**comm).at("attempts") == 2);
  CHECK(f.eventually([&] { return view_of(f, "Delegate/d-1").views_held == 0; }));
}

TEST_CASE("a restored entity actor reads a communication only when a step needs it", "[actors][engine][memory]") {
  engine_fixture f;
  const std::string attempt_id = book_delivered_and_released(f);
  // Passivated: the next message restores a fresh actor from the store.
  caf::scoped_actor self{*f.system};
  self->request(f.router, std::chrono::seconds(10), sweep_atom_v, INT64_MAX)
      .receive([](std::uint64_t passivated) { CHECK(passivated == 1); }, [&](caf::error& e) { FAIL(f.system->render(e)); });
  const entity_view restored = view_of(f, "Delegate/d-1");
  CHECK(restored.restored);
  CHECK(restored.applied == 0);
  // Its instance is read (what started, how far events were handled); its
  // communication is only named.
  CHECK(restored.views_held == 1);

  // A bounce needs the communication: read then, so the fall-back is its
  // second attempt, not a first one of a communication started again.
  report_bounce(f, attempt_id);
  REQUIRE(f.eventually([&] { return f.attempts_logged() == 2; }));
  using store_t = herald::storage::rocksdb_event_store;
  auto comm = f.store->view(store_t::view_kind::communication, attempt_id.substr(0, attempt_id.rfind('.')));
  REQUIRE(comm);
  REQUIRE(*comm);
  CHECK(boost::json::parse(**comm).at("attempts") == 2);
  CHECK(boost::json::parse(**comm).at("latest_status") == "task_open");
}

TEST_CASE("a report that arrives while the views cannot be read waits and is recorded once they can",
          "[actors][engine][faults]") {
  engine_fixture f;
  const std::string attempt_id = book_delivered_and_released(f);

  // The attempt and its communication are in the store only; reading them fails.
  f.faults->fail_view_reads(true);
  report_bounce(f, attempt_id);
  // Held and tried again (by fresh actors, which cannot restore either), not dropped.
  REQUIRE(f.eventually([&] { return f.stats().retries >= 2; }));
  CHECK(f.stats().waiting_to_retry == 1);

  f.faults->fail_view_reads(false);
  REQUIRE(f.eventually([&] { return f.stats().waiting_to_retry == 0; }));
  using store_t = herald::storage::rocksdb_event_store;
  auto text = f.store->view(store_t::view_kind::attempt, attempt_id);
  REQUIRE(text);
  REQUIRE(*text);
  CHECK(boost::json::parse(**text).at("status") == "bounced");
  CHECK(f.eventually([&] { return f.attempts_logged() == 2; }));  // and the fall-back's manual task
}

namespace {

// A provider whose first call ends the entity actor that made it, as an
// exception in its handler would (the attempt stays queued); later calls
// are delivered at once.
provider_actor spawn_provider_killing_its_first_caller(caf::actor_system& system,
                                                      std::shared_ptr<std::atomic<int>> calls) {
  return system.spawn([calls](provider_actor::pointer self) -> provider_actor::behavior_type {
    return {
        [self, calls](dispatch_atom, const dispatch_request_ptr& req) -> dispatch_outcome {
          if (++*calls == 1) caf::anon_send_exit(self->current_sender(), caf::exit_reason::kill);
          dispatch_outcome out;
          out.provider_message_id = "p-" + req->attempt.id;
          out.statuses.push_back({"delivered", "", 2});
          return out;
        },
        [](health_atom) { return provider_health{}; },
        [](wake_atom) {},
    };
  });
}

}  // namespace

TEST_CASE("an event whose entity actor ended abnormally is handled by a fresh actor", "[actors][engine][faults]") {
  engine_fixture f;
  auto calls = std::make_shared<std::atomic<int>>(0);
  const auto first = book_with(f, spawn_provider_killing_its_first_caller(*f.system, calls));
  // The actor died while the event was in flight: the router hears of it,
  // routes the event again from the log, and a fresh actor (restored: the
  // step was stored) answers it.
  REQUIRE(f.eventually([&] { return f.stats().handled_through >= first.seqs[0]; }));
  CHECK(f.stats().retries >= 1);
  CHECK(f.stats().waiting_to_retry == 0);
  CHECK(calls->load() == 1);
  // The entity takes later events as before.
  const auto second = f.append(make_event("2", "Delegate/d-1", "delegate.saved", booked));
  f.route(second);
  CHECK(f.eventually([&] { return f.stats().handled_through >= second.seqs[0]; }));
  CHECK(f.stats().live_entities == 1);
}

TEST_CASE("a timer whose step the disk refused fires again on a fresh actor once the disk works",
          "[actors][engine][faults]") {
  engine_fixture f;
  f.welcome_one_second_later();
  const auto first = f.append(make_event("1", "Delegate/d-1", "delegate.saved", booked));
  f.route(first);
  REQUIRE(f.eventually([&] { return f.stats().handled_through >= first.seqs[0]; }));
  REQUIRE(f.stats().live_entities == 1);
  // The timer fires a second later, while the disk fails: the actor cannot
  // store the step, answers false and, once idle, is retired by the router
  // (a fire's answer does not hold the entity: only the retirement takes
  // the broken actor out of the live set).
  f.faults->set(storage_fault::write_error);
  REQUIRE(f.eventually([&] { return f.stats().live_entities == 0; }));
  CHECK(f.attempts_logged() == 0);
  // Once the disk works the scheduler fires it again, on a fresh actor.
  f.faults->set(storage_fault::none);
  REQUIRE(f.eventually([&] { return f.only_attempt_status() == "delivered"; }));
  CHECK(f.attempts_logged() == 1);
  CHECK(f.stats().live_entities == 1);
}

TEST_CASE("a timer whose entity actor ended abnormally while firing is answered and not fired twice",
          "[actors][engine][faults]") {
  engine_fixture f;
  f.welcome_one_second_later();
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto pending_timers = [&] {
    caf::scoped_actor self{*f.system};
    std::uint64_t n = 0;
    self->request(f.engine->scheduler, std::chrono::seconds(10), health_atom_v)
        .receive([&](std::uint64_t p) { n = p; }, [&](caf::error& e) { FAIL(f.system->render(e)); });
    return n;
  };
  const auto first = book_with(f, spawn_provider_killing_its_first_caller(*f.system, calls));
  REQUIRE(f.eventually([&] { return f.stats().handled_through >= first.seqs[0]; }));
  // The timer fires a second later; its step is stored, then the actor dies
  // while the provider has the attempt. The router answers the scheduler all
  // the same, which fires the timer again on a fresh actor: that one finds
  // the action done and the timer leaves the scheduler.
  REQUIRE(f.eventually([&] { return calls->load() == 1 && pending_timers() == 0; }));
  CHECK(calls->load() == 1);
  CHECK(f.attempts_logged() == 1);
  CHECK(f.only_attempt_status() == "queued");
}

TEST_CASE("routed events beyond the router's bound wait at the router while entity steps wait for the disk",
          "[actors][engine]") {
  engine_fixture f(2);
  // Acknowledged while the disk works; then fsyncs are held, so the steps
  // the events start cannot become durable.
  std::vector<engine_fixture::appended> events;
  for (int i = 0; i < 5; ++i) {
    const std::string n = std::to_string(i);
    events.push_back(f.append(make_event("bounded-" + n, "Delegate/d-" + n, "delegate.saved", booked)));
  }
  f.faults->hold_syncs(true);
  for (const auto& a : events) f.route(a);
  REQUIRE(f.eventually([&] { return f.faults->syncs_waiting() > 0; }));
  // Two events are with their entities; the other three wait, with no actor yet.
  const router_stats held = f.stats();
  CHECK(held.live_entities == 2);
  CHECK(held.waiting_to_route == 3);
  CHECK(f.attempts_logged() == 0);
  f.faults->hold_syncs(false);
  // Each answer lets the next waiting event go: every event has its attempt.
  CHECK(f.eventually([&] { return f.attempts_logged() == 5; }));
  CHECK(f.stats().live_entities == 5);
  CHECK(f.stats().waiting_to_route == 0);
  CHECK(f.eventually([&] { return f.stats().handled_through == events.back().seqs.at(0); }));
}

TEST_CASE("an entity's view names the fields its last record changed after the engine has judged it",
          "[actors][engine]") {
  // The actor lets go of the changed fields its restore found once its
  // engine has judged that event; a view works them out from the store.
  engine_fixture f;
  f.route(f.append(make_event("first", "Delegate/d-1", "delegate.saved", booked)));
  REQUIRE(f.eventually([&] { return f.attempts_logged() == 1; }));
  const auto record = herald::domain::parse_entity_record(boost::json::parse(booked));
  REQUIRE(record);
  const auto first = f.view("Delegate/d-1");
  CHECK(first.changed_fields == herald::domain::changed_fields(nullptr, *record));  // a new entity: all of them
  CHECK(!first.changed_fields.empty());
  const std::uint64_t second = f.route(f.append(make_event("second", "Delegate/d-1", "delegate.saved", cancelled)));
  REQUIRE(f.eventually([&] { return f.stats().handled_through == second; }));
  const auto later = f.view("Delegate/d-1");
  CHECK(later.last_seq == second);
  CHECK(later.changed_fields == std::vector<std::string>{"Status"});
}

TEST_CASE("an entity's view answers an error while the store cannot read the entity's history",
          "[actors][engine]") {
  // Its changed fields come from the record before the last one: a read
  // that fails is an error, not a view listing every field as changed.
  engine_fixture f;
  f.route(f.append(make_event("first", "Delegate/d-1", "delegate.saved", booked)));
  const std::uint64_t second = f.route(f.append(make_event("second", "Delegate/d-1", "delegate.saved", cancelled)));
  REQUIRE(f.eventually([&] { return f.stats().handled_through == second; }));
  f.faults->fail_history_reads(true);
  caf::scoped_actor self{*f.system};
  std::string failure;
  self->request(f.router, std::chrono::seconds(10), view_atom_v, std::string("Delegate/d-1"))
      .receive([&](const entity_view& v) { failure = "a view listing " + std::to_string(v.changed_fields.size()) + " fields"; },
               [&](caf::error& e) { failure = f.system->render(e); });
  CHECK(failure.find("history") != std::string::npos);
  f.faults->fail_history_reads(false);
  CHECK(f.view("Delegate/d-1").changed_fields == std::vector<std::string>{"Status"});
}
