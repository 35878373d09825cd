#include <catch2/catch.hpp>

#include <map>

#include <boost/json.hpp>

#include "domain/rule.hpp"

namespace json = boost::json;
using namespace herald::domain;

namespace {

struct graph {
  std::map<std::string, entity_record> records;

  void add(const std::string& key, const char* data) {
    records[key] = *parse_entity_record(json::parse(data));
  }
  entity_lookup lookup() const {
    return [this](const std::string& k) -> const entity_record* {
      auto it = records.find(k);
      return it == records.end() ? nullptr : &it->second;
    };
  }
  bool holds(const std::string& key, const char* rules, std::vector<std::string> changed = {},
             std::vector<rule_trace>* trace_out = nullptr) {
    auto parsed = parse_rules(json::parse(rules));
    REQUIRE(parsed);
    auto k = *parse_entity_key(key);
    rule_context ctx{&k, &records.at(key), &changed, lookup()};
    std::vector<rule_trace> trace;
    bool held = evaluate_rules(*parsed, ctx, trace);
    if (trace_out) *trace_out = trace;
    return held;
  }
};

graph training() {
  graph g;
  g.add("Delegate/d-1", R"({"label":"Jane","fields":{"Status":"Booked","Seats":2,"Tags":["vip","early"],
        "Note":"needs parking"},"links":{"CourseDate":"CourseDate/cd-1","User":"User/u-1"}})");
  g.add("CourseDate/cd-1", R"({"label":"C1","fields":{"Status":"Available","StartDate":"2026-12-01"},
        "links":{"Course":"Course/c-1"}})");
  g.add("Course/c-1", R"({"label":"First aid","fields":{"Name":"First aid"}})");
  g.add("User/u-1", R"({"label":"Jane","fields":{"FirstName":"Jane"},"links":{"Manager":"User/u-2"},
        "contact":{"email":"jane@example.com"}})");
  g.add("User/u-2", R"({"label":"Max","fields":{"FirstName":"Max"},"contact":{"email":"max@example.com"}})");
  return g;
}

}  // namespace

TEST_CASE("every rule operator holds or fails as it should", "[domain][rules]") {
  auto g = training();
  const std::string d = "Delegate/d-1";
  CHECK(g.holds(d, R"([{"field":"Status","op":"eq","value":"Booked"}])"));
  CHECK_FALSE(g.holds(d, R"([{"field":"Status","op":"eq","value":"Cancelled"}])"));
  CHECK(g.holds(d, R"([{"field":"Status","op":"ne","value":"Cancelled"}])"));
  CHECK(g.holds(d, R"([{"field":"Status","op":"in","values":["Booked","Waiting"]}])"));
  CHECK_FALSE(g.holds(d, R"([{"field":"Status","op":"not_in","values":["Booked"]}])"));
  CHECK(g.holds(d, R"([{"field":"Seats","op":"lt","value":3}])"));
  CHECK(g.holds(d, R"([{"field":"Seats","op":"le","value":2}])"));
  CHECK_FALSE(g.holds(d, R"([{"field":"Seats","op":"gt","value":2}])"));
  CHECK(g.holds(d, R"([{"field":"Seats","op":"ge","value":2.0}])"));
  CHECK(g.holds(d, R"([{"field":"CourseDate.StartDate","op":"gt","value":"2026-11-30"}])"));
  CHECK_FALSE(g.holds(d, R"([{"field":"Status","op":"lt","value":5}])"));  // not ordered
  CHECK(g.holds(d, R"([{"field":"Note","op":"exists"}])"));
  CHECK(g.holds(d, R"([{"field":"Refund","op":"missing"}])"));
  CHECK(g.holds(d, R"([{"field":"Note","op":"contains","value":"parking"}])"));
  CHECK(g.holds(d, R"([{"field":"Tags","op":"contains","value":"vip"}])"));
  CHECK_FALSE(g.holds(d, R"([{"field":"Tags","op":"contains","value":"late"}])"));
  CHECK(g.holds(d, R"([{"field":"Status","op":"changed"}])", {"Seats", "Status"}));
  CHECK_FALSE(g.holds(d, R"([{"field":"Status","op":"changed"}])", {"Seats"}));
  CHECK(g.holds(d, R"([{"field":"Status","op":"changed_to","value":"Booked"}])", {"Status"}));
  CHECK_FALSE(g.holds(d, R"([{"field":"Status","op":"changed_to","value":"Booked"}])", {}));
}

TEST_CASE("paths follow links any number of hops", "[domain][rules][paths]") {
  auto g = training();
  CHECK(g.holds("Delegate/d-1", R"([{"field":"CourseDate.Status","op":"in","values":["Available"]}])"));
  CHECK(g.holds("Delegate/d-1", R"([{"field":"CourseDate.Course.Name","op":"eq","value":"First aid"}])"));
  CHECK(g.holds("Delegate/d-1", R"([{"field":"User.Manager.contact.email","op":"eq","value":"max@example.com"}])"));
  CHECK(g.holds("Delegate/d-1", R"([{"field":"User.Manager","op":"eq","value":"User/u-2"}])"));
  CHECK(g.holds("Delegate/d-1", R"([{"field":"User.Manager.Manager.FirstName","op":"missing"}])"));
  auto k = *parse_entity_key("Delegate/d-1");
  auto missing = resolve_path(k, g.records.at("Delegate/d-1"), "User.Manager.Manager.FirstName", g.lookup());
  CHECK_FALSE(missing.found);
  CHECK(missing.missing == "User.Manager.Manager");
  CHECK(resolve_path(k, g.records.at("Delegate/d-1"), "Id", g.lookup()).value == "d-1");
  // Id and label name the entity the walk has reached, not the root.
  CHECK(resolve_path(k, g.records.at("Delegate/d-1"), "User.Manager.Id", g.lookup()).value == "u-2");
  CHECK(resolve_path(k, g.records.at("Delegate/d-1"), "CourseDate.Course.label", g.lookup()).value == "First aid");
  // What is missing is named up to the segment that was not there.
  const auto& d = g.records.at("Delegate/d-1");
  CHECK(resolve_path(k, d, "User.Manager.contact.fax", g.lookup()).missing == "User.Manager.contact.fax");
  CHECK(resolve_path(k, d, "User.Manager.contact.email.x", g.lookup()).missing == "User.Manager.contact.email.x");
  CHECK(resolve_path(k, d, "CourseDate.Nope.Name", g.lookup()).missing == "CourseDate.Nope");
  CHECK(resolve_path(k, d, "Status.Code", g.lookup()).missing == "Status");
  CHECK(resolve_path(k, d, "Seats.", g.lookup()).missing == "Seats");
  CHECK_FALSE(resolve_path(k, d, "", g.lookup()).found);
  const auto mail = resolve_path(k, d, "User.Manager.contact.email", g.lookup());
  CHECK(mail.found);
  CHECK(mail.value == "max@example.com");
  const auto link = resolve_path(k, d, "User.Manager", g.lookup());
  CHECK(link.entity == "User/u-2");
}

TEST_CASE("an any group holds when one member holds", "[domain][rules]") {
  auto g = training();
  CHECK(g.holds("Delegate/d-1", R"([{"any":[{"field":"Status","op":"eq","value":"Cancelled"},
                                            {"field":"Seats","op":"gt","value":1}]}])"));
  CHECK_FALSE(g.holds("Delegate/d-1", R"([{"field":"Status","op":"eq","value":"Booked"},
                                           {"any":[{"field":"Seats","op":"gt","value":5},
                                                   {"field":"Note","op":"missing"}]}])"));
}

TEST_CASE("the trace explains every rule with the value seen", "[domain][rules]") {
  auto g = training();
  std::vector<rule_trace> trace;
  CHECK_FALSE(g.holds("Delegate/d-1", R"([{"field":"Status","op":"in","values":["Booked"]},
      {"field":"CourseDate.Status","op":"eq","value":"Cancelled"}])", {}, &trace));
  REQUIRE(trace.size() == 2);  // both rules evaluated, not just the first
  CHECK(trace[0].rule == R"(Status in ["Booked"])");
  CHECK(trace[0].held);
  CHECK(trace[0].seen == "Booked");
  CHECK_FALSE(trace[1].held);
  CHECK(trace[1].seen == "Available");
}

TEST_CASE("bad rules are refused naming the member", "[domain][rules]") {
  struct bad_case {
    const char* rules;
    const char* field;
  };
  for (auto c : {bad_case{R"({"field":"x"})", "rules"},
                 bad_case{R"([{"field":"Status","op":"like","value":"x"}])", "rules[0].op"},
                 bad_case{R"([{"field":"Status","op":"eq","value":1},{"field":"A..B","op":"exists"}])", "rules[1].field"},
                 bad_case{R"([{"field":"Status","op":"in","value":"x"}])", "rules[0].values"},
                 bad_case{R"([{"field":"Status","op":"eq"}])", "rules[0].value"},
                 bad_case{R"([{"any":[{"field":"S","op":"nope"}]}])", "rules[0].any[0].op"},
                 bad_case{R"([{"field":"S","op":"eq","value":1,"extra":2}])", "rules[0].extra"}}) {
    INFO(c.rules);
    auto r = parse_rules(json::parse(c.rules));
    REQUIRE_FALSE(r);
    CHECK(r.error().field() == c.field);
  }
}
