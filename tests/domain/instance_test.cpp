#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "domain/instance.hpp"

namespace json = boost::json;
using namespace herald::domain;

TEST_CASE("an instance written as text is what serializing its JSON tree writes", "[domain][instance]") {
  // Every member set, with text that needs escaping, so a field left out,
  // misnamed or out of order shows.
  const std::string odd = "Caf\xc3\xa9 \"A\\B\"\n\t\x01";
  instance_view i;
  i.id = "i-42-" + odd;
  i.workflow = "booking-confirmation";
  i.workflow_version = 3;
  i.entity = "Delegate/d-1";
  i.entity_label = odd;
  i.trigger_seq = 18446744073709551000ull;
  i.trigger = "delegate.saved";
  i.state = "dispatched";
  i.reason = odd;
  i.created_at = 1795000000123;
  i.updated_at = 1795000000456;
  i.changed = {"Status", odd};
  i.trace = {{"Status in [\"Booked\"]", json::value("Booked"), true},
             {odd, json::value(nullptr), false},
             {"Seats gt 3", json::parse(R"({"n":[1,2.5,true]})"), false},
             // Every kind of value a field can hold, as its own "seen".
             {"Amount gt 1", json::value(-12.75), false},
             {"Count gt 1", json::value(-3), false},
             {"Id eq 1", json::value(18446744073709551615ull), true},
             {"Name eq x", json::value(odd), false},
             {"Flags eq x", json::parse(R"({"a\"b":"x\ny","e":{},"l":[],"z":[null,false,1e300]})"), true}};
  i.fire_trace = {{"Status eq Booked", json::value(7), true}};
  action_state waiting;
  waiting.index = 0;
  waiting.due_ms = 1795000120000;
  waiting.recipients = {"User/u-1", odd};
  action_state fired;
  fired.index = 1;
  fired.state = "not_sent";
  fired.reason = "no_contact";
  fired.attempts = {"c-1.1", "c-1.2"};
  i.actions = {waiting, fired};
  i.timeline = {{"created", -1, "", 1795000000123, 0},
                {"scheduled", 0, "", 1795000000123, 1795000120000},
                {"fired", 1, "executed by " + odd, 1795000000456, 0},
                {"not_sent", 1, "no_contact", 1795000000456, 0},
                {"cancelled", -1, odd, 1795000000789, 0}};

  std::string text;
  append_json(text, i);
  CHECK(text == json::serialize(to_json(i)));
  auto back = instance_from_json(json::parse(text));
  REQUIRE(back);
  CHECK(back->trigger_seq == i.trigger_seq);
  CHECK(back->trace.size() == 8);
  CHECK(back->actions.at(1).attempts == fired.attempts);
  REQUIRE(back->timeline.size() == i.timeline.size());
  for (std::size_t n = 0; n < i.timeline.size(); ++n) {
    CHECK(back->timeline[n].state == i.timeline[n].state);
    CHECK(back->timeline[n].action == i.timeline[n].action);
    CHECK(back->timeline[n].reason == i.timeline[n].reason);
    CHECK(back->timeline[n].at == i.timeline[n].at);
    CHECK(back->timeline[n].due_ms == i.timeline[n].due_ms);
  }

  // Fired in the step that matched: the fire trace is the trace, and its
  // text is copied from the trace's; and traces that differ only in one
  // part, which must each be written out.
  instance_view same = i;
  same.fire_trace = same.trace;
  text.clear();
  append_json(text, same);
  CHECK(text == json::serialize(to_json(same)));
  for (int part = 0; part < 4; ++part) {
    instance_view near = i;
    near.fire_trace = near.trace;
    rule_trace& last = near.fire_trace.back();
    if (part == 0) last.held = !last.held;
    if (part == 1) last.seen = json::value(7);
    if (part == 2) last.rule += " ";
    if (part == 3) near.fire_trace.pop_back();
    text.clear();
    append_json(text, near);
    CHECK(text == json::serialize(to_json(near)));
  }

  instance_view empty;
  text.clear();
  append_json(text, empty);
  CHECK(text == json::serialize(to_json(empty)));
}

TEST_CASE("a fired action's timeline says it fired, what was rendered and where it ended", "[domain][instance]") {
  instance_view i;
  action_state sent;
  sent.index = 0;
  sent.state = "dispatched";
  record_fired(i, sent, /*sends=*/true, "", 1000);
  action_state task;
  task.index = 1;
  task.state = "dispatched";
  record_fired(i, task, /*sends=*/false, "executed by ops", 2000);  // a manual task renders nothing
  action_state stopped;
  stopped.index = 2;
  stopped.state = "not_sent";
  stopped.reason = "rules_no_longer_match";
  record_fired(i, stopped, /*sends=*/true, "", 3000);
  std::vector<std::string> seen;
  for (const auto& t : i.timeline) {
    seen.push_back(t.state + "/" + std::to_string(t.action) + ":" + t.reason + "@" + std::to_string(t.at));
  }
  CHECK(seen == std::vector<std::string>{"fired/0:@1000", "rendered/0:@1000", "dispatched/0:@1000",
                                         "fired/1:executed by ops@2000", "dispatched/1:@2000",
                                         "fired/2:@3000", "not_sent/2:rules_no_longer_match@3000"});
}
