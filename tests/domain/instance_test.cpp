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

  std::string text;
  append_json(text, i);
  CHECK(text == json::serialize(to_json(i)));
  auto back = instance_from_json(json::parse(text));
  REQUIRE(back);
  CHECK(back->trigger_seq == i.trigger_seq);
  CHECK(back->trace.size() == 8);
  CHECK(back->actions.at(1).attempts == fired.attempts);

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
