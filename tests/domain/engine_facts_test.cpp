#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "domain/engine_event.hpp"
#include "domain/engine_facts.hpp"

namespace json = boost::json;
using namespace herald::domain;

TEST_CASE("the facts of an instance record are read from its data, old records included", "[domain][engine]") {
  const auto d = json::parse(R"({"instance":{"id":"i-1-w","entity":"Delegate/d-1","state":"scheduled",
      "created_at":"2026-11-23T08:00:00.250Z"},"timers_remove":[{"due":5,"action":1},"junk"],
      "timers_add":[{"due":7,"action":0}],"created":false})").as_object();
  auto f = engine_facts_of(engine::instance_updated, d);
  REQUIRE(f);
  REQUIRE(f->instance);
  CHECK_FALSE(f->attempt);
  CHECK(f->instance->id == "i-1-w");
  CHECK(f->instance->entity == "Delegate/d-1");
  CHECK(f->instance->created_at_ms == 1795420800250);
  CHECK(f->instance->created == false);
  CHECK(f->instance->timers_remove == std::vector<std::pair<std::int64_t, int>>{{5, 1}});
  CHECK(f->instance->timers_add == std::vector<std::pair<std::int64_t, int>>{{7, 0}});
  // Written before records said whether they were the first.
  auto old = engine_facts_of(engine::instance_updated, json::parse(R"({"instance":{"id":"i"}})").as_object());
  REQUIRE(old);
  CHECK_FALSE(old->instance->created);
  CHECK_FALSE(engine_facts_of(engine::instance_updated, json::parse(R"({"instance":3})").as_object()));
  CHECK_FALSE(engine_facts_of(engine::task_updated, d));
}

TEST_CASE("the facts of an attempt record say what it carries", "[domain][engine]") {
  auto created = engine_facts_of(engine::attempt_updated, json::parse(R"({
      "attempt":{"id":"c-1.1","mapped_to":"Delegate/d-1","channel":"email","status":"queued","created_at":null},
      "communication":{"id":"c-1","last_attempt_at":"2026-11-23T08:00:00.000Z"},
      "content":{"attachments":[{"name":"a.pdf"}]},"communication_previous_at":12})").as_object());
  REQUIRE(created);
  REQUIRE(created->attempt);
  const attempt_facts& a = *created->attempt;
  CHECK(a.created_at_ms == 0);
  CHECK(a.has_content);
  CHECK(a.has_attachments);
  CHECK(a.communication_id == std::optional<std::string>("c-1"));
  CHECK(a.communication_last_attempt_at_ms == 1795420800000);
  CHECK(a.communication_previous_at == std::optional<std::int64_t>(12));

  auto update = engine_facts_of(engine::attempt_updated, json::parse(R"({
      "attempt":{"id":"c-1.1","status":"delivered"},"content":{"attachments":[]}})").as_object());
  REQUIRE(update);
  CHECK(update->attempt->has_content);
  CHECK_FALSE(update->attempt->has_attachments);
  CHECK_FALSE(update->attempt->communication_id);
  CHECK_FALSE(update->attempt->communication_previous_at);
}
