// The workflow logic of one entity, driven directly: a step's records are
// not appended, as while they wait for their group commit.

#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <date/tz.h>

#include "actors/entity_engine.hpp"
#include "domain/engine_event.hpp"
#include "domain/entity_record.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "tests/support/events.hpp"
#include "tests/support/temp_dir.hpp"

using namespace herald::actors;

namespace {

struct engine_under_test {
  engine_under_test() {
    herald::storage::store_options so;
    so.path = dir.sub("data");
    store = std::move(*herald::storage::rocksdb_event_store::open(so));
    REQUIRE(definitions.put("template", "t", 1, R"({"channel":"email","subject":"Hello @@label","text":"Hi"})"));
    REQUIRE(definitions.put("workflow", "w", 1, R"({"title":"Welcome","module":"Delegate","trigger":{"on":"delegate.saved"},
      "rules":[{"field":"Status","op":"eq","value":"Booked"}],
      "actions":[{"kind":"send","template":"t","to":["@self"],"channels":["email"],"category":"Booking"}]})"));
    context.store = store.get();
    context.definitions = &definitions;
    context.clock = &clock;
    context.calendar = *herald::domain::business_calendar::make(herald::domain::organisation_config{},
                                                               date::locate_zone("Europe/London"));
  }

  // An event carrying a new entity's record, appended durably as ingest
  // does, and handled by `engine`: its step (not appended).
  engine_step first_event(entity_engine& engine, const std::string& id, const std::string& key,
                          const std::string& type, const std::string& data) {
    auto out = store->append({herald::test::make_event(id, key, type, data)});
    REQUIRE(out);
    const auto record = herald::domain::parse_entity_record(boost::json::parse(data));
    REQUIRE(record);
    entity_update update;
    update.seq = out->seqs.at(0);
    update.type = type;
    update.carries_record = true;
    update.data_json = data;
    return engine.on_event(update, &*record, herald::domain::changed_fields(nullptr, *record), false);
  }

  // Jane's booking, handled: the step that queues her attempt.
  dispatch_request booked(entity_engine& engine) {
    const std::string data = R"({"label":"Jane","fields":{"Status":"Booked"},"contact":{"email":"jane@example.com"}})";
    engine_step step = first_event(engine, "e1", "Delegate/jane", "delegate.saved", data);
    REQUIRE(step.dispatches.size() == 1);
    return *step.dispatches.front();
  }

  herald::test::temp_dir dir;
  std::unique_ptr<herald::storage::rocksdb_event_store> store;
  definition_registry definitions;
  engine_clock clock = engine_clock::virtual_at(1'800'000'000'000);
  engine_context context;
};

// The attempt each of a step's records carries, parsed.
boost::json::object attempt_in(const engine_step& step) {
  REQUIRE(step.events.size() == 1);
  return boost::json::parse(step.events.front().data).at("attempt").as_object();
}

std::vector<std::string> timeline_of(const boost::json::object& attempt) {
  std::vector<std::string> out;
  for (const auto& change : attempt.at("timeline").as_array()) out.emplace_back(change.at("status").as_string());
  return out;
}

}  // namespace

TEST_CASE("reports on an attempt whose records are not durable yet build on what the engine wrote last",
          "[actors][engine]") {
  engine_under_test t;
  entity_engine engine("Delegate/jane", &t.context);
  const dispatch_request queued = t.booked(engine);
  const std::int64_t now = t.clock.now_ms();

  // A webhook names the attempt only: the engine has it from its own
  // step, since the store does not have it yet.
  const engine_step sent = engine.on_status(queued.attempt.id, dispatch_outcome{"m-1", {{"sent", "", now}}});
  CHECK(timeline_of(attempt_in(sent)) == std::vector<std::string>{"queued", "sent"});

  // Reports hand the engine's state of the attempt over rather than copy
  // it: ones that record nothing must hand it back, or the next report
  // would build on the store.
  CHECK(engine.on_status(queued.attempt.id, dispatch_outcome{"m-1", {}}).empty());
  CHECK(engine.on_outcome(queued, dispatch_outcome{"", {}}).empty());

  // The provider's answer comes with the request as dispatched; the attempt
  // has moved on since, in a record still waiting for its commit.
  const engine_step delivered = engine.on_outcome(queued, dispatch_outcome{"m-1", {{"delivered", "", now + 1}}});
  const auto attempt = attempt_in(delivered);
  CHECK(timeline_of(attempt) == std::vector<std::string>{"queued", "sent", "delivered"});
  CHECK(attempt.at("status") == "delivered");
  CHECK(attempt.at("provider_message_id") == "m-1");
  CHECK_FALSE(engine.take_read_failure());
}

TEST_CASE("a date-relative instance already due fires on the rules checked as it is created, and only if they held",
          "[actors][engine]") {
  // Its rules are evaluated when the date is scheduled (for the explain
  // view); an action due at once fires on that evaluation in the same step.
  engine_under_test t;
  REQUIRE(t.definitions.put("workflow", "overdue", 1, R"({"title":"Overdue","module":"Invoice",
      "trigger":{"date":"DueDate","offset":"P1D"},
      "rules":[{"field":"Status","op":"ne","value":"Paid"}],
      "actions":[{"kind":"send","template":"t","to":["@self"],"channels":["email"],"category":"Finance"}]})"));
  for (const std::string status : {"Open", "Paid"}) {
    const std::string key = "Invoice/" + status;
    const std::string data = R"({"label":"Invoice )" + status + R"(","fields":{"Status":")" + status +
                             R"(","DueDate":"2020-01-01"},"contact":{"email":"payer@example.com"}})";
    entity_engine engine(key, &t.context);
    const engine_step step = t.first_event(engine, "e-" + status, key, "invoice.saved", data);
    INFO(status);
    CHECK(step.dispatches.size() == (status == "Open" ? 1u : 0u));
    bool seen = false;
    for (const auto& ev : step.events) {
      if (ev.type != herald::domain::engine::instance_updated) continue;
      const auto inst = boost::json::parse(ev.data).at("instance").as_object();
      seen = true;
      CHECK(inst.at("fire_trace") == inst.at("trace"));
      CHECK(inst.at("trace").as_array().at(0).at("held").as_bool() == (status == "Open"));
      CHECK(inst.at("actions").as_array().at(0).at("state").as_string() == (status == "Open" ? "dispatched" : "not_sent"));
      if (status == "Paid") {
        CHECK(inst.at("actions").as_array().at(0).at("reason").as_string() == "rules_no_longer_match");
      }
    }
    CHECK(seen);
  }
}
