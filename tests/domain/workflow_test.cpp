#include <catch2/catch.hpp>

#include <set>

#include <boost/json.hpp>

#include "domain/workflow.hpp"

namespace json = boost::json;
using namespace herald::domain;

namespace {
const std::set<std::string> templates = {"booking-confirmation", "cancellation", "low-viability",
                                         "certificate", "invoice-overdue"};
bool exists(const std::string& id) { return templates.count(id) > 0; }
}  // namespace

TEST_CASE("the SPEC's booking confirmation workflow parses", "[domain][workflow]") {
  auto w = parse_workflow("booking-confirmation", json::parse(R"({
    "title": "Delegate - Booking Confirmation", "module": "Delegate",
    "enabled": true, "trigger": {"on": "delegate.saved"},
    "rules": [{"field": "Status", "op": "in", "values": ["Booked"]},
              {"field": "CourseDate.Status", "op": "in", "values": ["Available"]}],
    "actions": [{"kind": "send", "template": "booking-confirmation",
                 "to": ["User"], "delay": "PT2M", "channels": ["email"],
                 "category": "Booking", "type": "Email"}]})"), exists);
  REQUIRE(w);
  CHECK(w->module == "Delegate");
  CHECK(w->once_per_entity);
  CHECK(w->trigger.kind == trigger_kind::on_event);
  CHECK(w->trigger.on == "delegate.saved");
  CHECK(w->rules.size() == 2);
  REQUIRE(w->actions.size() == 1);
  CHECK(w->actions[0].delay->seconds == 120);
  CHECK(w->actions[0].to[0].path == "User");
  CHECK(w->actions[0].category == "Booking");
}

TEST_CASE("date-relative triggers, reverse links, roles and tasks parse", "[domain][workflow]") {
  auto viability = parse_workflow("low-viability", json::parse(R"({
    "title": "Low course viability", "module": "CourseDate",
    "trigger": {"date": "StartDate", "offset": "-P14D", "at": "08:30"},
    "rules": [{"field": "Viability", "op": "ne", "value": "Good"}],
    "actions": [{"kind": "send", "template": "low-viability", "to": ["role:administrators"],
                 "schedule": "business_window"},
                {"kind": "task", "title": "Call the trainer", "to": ["@self"]}]})"), exists);
  REQUIRE(viability);
  CHECK(viability->trigger.kind == trigger_kind::date_relative);
  CHECK(viability->trigger.offset.negative);
  CHECK(viability->trigger.offset.days == 14);
  CHECK(*viability->trigger.at_minutes == 8 * 60 + 30);
  CHECK(viability->actions[0].to[0].type == recipient_spec::kind::role);
  CHECK(viability->actions[0].schedule == send_schedule::business_window);
  CHECK(viability->actions[1].kind == action_kind::task);

  auto certificate = parse_workflow("certificate", json::parse(R"({
    "title": "Delegate certificate", "module": "CourseDate", "trigger": {"on": "coursedate.saved"},
    "rules": [{"field": "Status", "op": "changed_to", "value": "Completed"}],
    "actions": [{"kind": "send", "template": "certificate", "to": ["Delegate<-CourseDate"]}]})"), exists);
  REQUIRE(certificate);
  CHECK(certificate->actions[0].to[0].type == recipient_spec::kind::reverse_link);
  CHECK(certificate->actions[0].to[0].module == "Delegate");
  CHECK(certificate->actions[0].to[0].path == "CourseDate");
  CHECK(certificate->actions[0].channels == std::vector<std::string>{"email"});
}

TEST_CASE("bad definitions are refused naming the member", "[domain][workflow]") {
  const std::string base = R"("title": "T", "module": "Delegate", "trigger": {"on": "x"})";
  struct bad_case {
    std::string body;
    const char* field;
  };
  const std::vector<bad_case> cases = {
      {"{" + base + "}", "actions"},
      {"{" + base + R"(, "actions": [{"kind": "send", "template": "nope", "to": ["User"]}]})", "actions[0].template"},
      {"{" + base + R"(, "actions": [{"kind": "send", "template": "certificate", "to": ["User"], "delay": "2 minutes"}]})", "actions[0].delay"},
      {"{" + base + R"(, "actions": [{"kind": "send", "template": "certificate", "to": ["User..x"]}]})", "actions[0].to[0]"},
      {"{" + base + R"(, "actions": [{"kind": "send", "template": "certificate", "to": ["User"], "channels": ["fax"]}]})", "actions[0].channels[0]"},
      {"{" + base + R"(, "actions": [{"kind": "send", "template": "certificate", "to": ["User"], "schedule": "later"}]})", "actions[0].schedule"},
      {"{" + base + R"(, "actions": [{"kind": "mail"}]})", "actions[0].kind"},
      {"{" + base + R"(, "actions": [{"kind": "send", "template": "certificate", "to": ["User"], "sender": "the boss"}]})", "actions[0].sender"},
      {"{" + base + R"(, "actions": [{"kind": "send", "template": "certificate", "to": ["User"], "sender": "assigned:a..b"}]})", "actions[0].sender"},
      {"{" + base + R"(, "rules": [{"field": "S", "op": "like", "value": 1}], "actions": [{"kind": "task", "title": "t"}]})", "rules[0].op"},
      {R"({"title": "T", "module": "Delegate", "trigger": {"date": "Due", "offset": "1 day"}, "actions": [{"kind": "task", "title": "t"}]})", "trigger.offset"},
      {R"({"title": "T", "module": "Delegate", "trigger": {"when": "x"}, "actions": [{"kind": "task", "title": "t"}]})", "trigger.when"},
      {R"({"title": "T", "module": "9x", "trigger": {"on": "x"}, "actions": [{"kind": "task", "title": "t"}]})", "module"},
      {R"({"module": "Delegate", "trigger": {"on": "x"}, "actions": [{"kind": "task", "title": "t"}]})", "title"},
      {"{" + base + R"(, "enabled": "yes", "actions": [{"kind": "task", "title": "t"}]})", "enabled"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    auto w = parse_workflow("w", json::parse(c.body), exists);
    REQUIRE_FALSE(w);
    CHECK(w.error().field() == c.field);
  }
  CHECK(is_valid_definition_id("booking-confirmation.v2"));
  CHECK_FALSE(is_valid_definition_id("a/b"));
  CHECK_FALSE(is_valid_definition_id(""));
}
