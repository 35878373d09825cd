#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "domain/communication.hpp"
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

  auto update = engine_facts_of(engine::attempt_updated, json::parse(R"({
      "attempt":{"id":"c-1.1","status":"delivered"},"content":{"attachments":[]}})").as_object());
  REQUIRE(update);
  CHECK(update->attempt->has_content);
  CHECK_FALSE(update->attempt->has_attachments);
  CHECK_FALSE(update->attempt->communication_id);
}

TEST_CASE("a provider report's record, which carries part of the attempt, has the facts the whole one would",
          "[domain][engine]") {
  attempt_view a;
  a.id = "c-1.1";
  a.communication_id = "c-1";
  a.status = "bounced";
  a.channel = "sms";
  a.mapped_to = "Delegate/d-1";
  a.subject = "Your booking";
  a.created_at = 1795420800250;
  a.timeline = {{"queued", "", 1795420800250}, {"bounced", "unknown number", 1795420801000}};
  std::string whole = "{\"attempt\":", part = "{\"attempt\":";
  append_json(whole, a);
  append_status_json(part, a);
  whole += "}";
  part += ",\"status_only\":true}";
  auto from_whole = engine_facts_of(engine::attempt_updated, json::parse(whole).as_object());
  auto from_part = engine_facts_of(engine::attempt_updated, json::parse(part).as_object());
  REQUIRE(from_whole);
  REQUIRE(from_part);
  CHECK(*from_part == *from_whole);
  CHECK(from_part->attempt->status == "bounced");
  CHECK(from_part->attempt->created_at_ms == 1795420800250);
}

namespace {

cloud_event with_facts(cloud_event record, const std::string& type) {
  record.facts = std::make_shared<const engine_facts>(*engine_facts_of(type, json::parse(record.data).as_object()));
  return record;
}

cloud_event instance_record(const std::string& subject) {
  return with_facts(engine::make_unique_event(engine::instance_updated, subject,
                                              R"({"instance":{"id":"i-1-w","entity":")" + subject +
                                                  R"(","state":"dispatched"},"timers_add":[],"timers_remove":[{"due":5,"action":0}],"created":false})",
                                              ""),
                    engine::instance_updated);
}

cloud_event attempt_record(const std::string& subject, const std::string& id) {
  return with_facts(engine::make_unique_event(engine::attempt_updated, subject,
                                              R"({"attempt":{"id":")" + id + R"(","mapped_to":")" + subject +
                                                  R"(","status":"queued"},"communication":{"id":"c-1"},"content":{"text":"Hi"}})",
                                              ""),
                    engine::attempt_updated);
}

}  // namespace

TEST_CASE("an instance record carries the attempt its step made next, and reads back with the same facts",
          "[domain][engine]") {
  const std::string entity = "Delegate/d-1";
  std::vector<cloud_event> step{instance_record(entity), attempt_record(entity, "c-1.1"),
                                attempt_record(entity, "c-2.1")};
  const std::string instance_id = step[0].id, second_attempt_id = step[2].id;
  engine::carry_attempts_in_instance_records(step);

  REQUIRE(step.size() == 2);
  CHECK(step[0].type == engine::instance_updated);
  CHECK(step[0].id == instance_id);
  const json::object data = json::parse(step[0].data).as_object();
  CHECK(data.at("instance").at("id") == "i-1-w");
  CHECK(data.at("attempt").at("id") == "c-1.1");
  CHECK(data.at("content").at("text") == "Hi");
  CHECK(data.at("timers_remove").as_array().size() == 1);
  // What the store is handed equals what replay reads from the record.
  const auto read_back = engine_facts_of(step[0].type, data);
  REQUIRE(read_back);
  REQUIRE(step[0].facts);
  CHECK(*read_back == *step[0].facts);
  REQUIRE(read_back->attempt);
  CHECK(read_back->attempt->id == "c-1.1");
  CHECK(read_back->instance->timers_remove == std::vector<std::pair<std::int64_t, int>>{{5, 0}});
  // Only the next one: a second attempt keeps its own record.
  CHECK(step[1].id == second_attempt_id);
  CHECK(step[1].type == engine::attempt_updated);
}

TEST_CASE("records that are not an instance followed by its entity's attempt are left as they are",
          "[domain][engine]") {
  SECTION("another entity's attempt") {
    std::vector<cloud_event> step{instance_record("Delegate/d-1"), attempt_record("Delegate/d-2", "c-1.1")};
    engine::carry_attempts_in_instance_records(step);
    CHECK(step.size() == 2);
  }
  SECTION("an attempt before the instance") {
    std::vector<cloud_event> step{attempt_record("Delegate/d-1", "c-1.1"), instance_record("Delegate/d-1")};
    engine::carry_attempts_in_instance_records(step);
    CHECK(step.size() == 2);
  }
  SECTION("records handed without facts") {
    std::vector<cloud_event> step{instance_record("Delegate/d-1"), attempt_record("Delegate/d-1", "c-1.1")};
    step[1].facts.reset();
    engine::carry_attempts_in_instance_records(step);
    REQUIRE(step.size() == 2);
    CHECK(json::parse(step[0].data).as_object().if_contains("attempt") == nullptr);
  }
  SECTION("an attempt carried that is not an object") {
    CHECK_FALSE(engine_facts_of(engine::instance_updated,
                                json::parse(R"({"instance":{"id":"i"},"attempt":"c-1.1"})").as_object()));
  }
}

TEST_CASE("engine event ids are the prefix, the process's start and a counter, in hex", "[domain][engine]") {
  const std::string a = herald::domain::engine::next_event_id("e");
  const std::string b = herald::domain::engine::next_event_id("log");
  auto parts = [](const std::string& id) {
    const auto first = id.find('-');
    const auto second = id.find('-', first + 1);
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    return std::vector<std::string>{id.substr(0, first), id.substr(first + 1, second - first - 1),
                                    id.substr(second + 1)};
  };
  const auto pa = parts(a);
  const auto pb = parts(b);
  CHECK(pa[0] == "e");
  CHECK(pb[0] == "log");
  CHECK(pa[1] == pb[1]);  // one start per process
  for (const auto& p : {pa[1], pa[2], pb[2]}) {
    REQUIRE_FALSE(p.empty());
    CHECK(p.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK((p.size() == 1 || p[0] != '0'));  // no leading zeros, as %llx
  }
  CHECK(std::stoull(pb[2], nullptr, 16) == std::stoull(pa[2], nullptr, 16) + 1);
  // Counters of several digits, most significant first.
  std::uint64_t previous = std::stoull(pb[2], nullptr, 16);
  for (int i = 0; i < 300; ++i) {
    const auto p = parts(herald::domain::engine::next_event_id("e"));
    CHECK(p[2][0] != '0');
    CHECK(std::stoull(p[2], nullptr, 16) == previous + 1);
    previous = std::stoull(p[2], nullptr, 16);
  }
}
