#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "domain/config.hpp"
#include "domain/module_schema.hpp"

namespace json = boost::json;
using namespace herald::domain;

namespace {

const char* const declared = R"({
  "User":       {"fields": ["FirstName"], "links": {"Manager": "User", "Account": "Account"}},
  "CourseDate": {"fields": ["Status", "StartDate", "Address"], "links": {"Course": "Course"}},
  "Course":     {"fields": ["Name"]},
  "Delegate":   {"fields": ["Status"], "links": {"User": "User", "CourseDate": "CourseDate"}}})";

module_schemas modules() {
  auto m = parse_module_schemas(json::parse(declared), "modules");
  REQUIRE(m);
  return *m;
}

// A workflow of `module` with `members`, checked against the declared modules.
herald::status check(const std::string& module, const std::string& members) {
  auto w = parse_workflow("w", json::parse(R"({"title":"t","module":")" + module + R"(",)" + members + "}"),
                          [](const std::string&) { return true; });
  REQUIRE(w);
  return check_workflow_paths(*w, modules());
}

}  // namespace

TEST_CASE("a path is checked against the modules the config declares", "[domain][modules]") {
  const auto m = modules();
  for (const char* ok : {"Status", "CourseDate.Status", "CourseDate.Course.Name", "User.Manager",
                         "User.Manager.FirstName", "User.Manager.contact.email", "contact.mobile", "label", "Id",
                         "CourseDate.Address.Town",  // a member of a field holding an object
                         "User.Account.Anything"}) {  // Account is not declared: not checked past it
    INFO(ok);
    CHECK(check_path(m, "Delegate", ok));
  }
  CHECK(check_path(m, "Invoice", "Whatever.Goes"));  // an undeclared module
  const auto typo = check_path(m, "Delegate", "CourseDate.Staus");
  REQUIRE_FALSE(typo);
  CHECK(typo.message().find("'Staus'") != std::string::npos);
  CHECK(typo.message().find("CourseDate has no field or link") != std::string::npos);
  CHECK(typo.message().find("StartDate") != std::string::npos);  // what it does have
  CHECK_FALSE(check_path(m, "Delegate", "Staus"));
  CHECK_FALSE(check_path(m, "Delegate", "User.Manager.Nickname"));
}

TEST_CASE("a workflow's paths that name nothing are refused, naming the member", "[domain][modules]") {
  const std::string send = R"("actions":[{"kind":"send","template":"t","to":["User"]}])";
  CHECK(check("Delegate", R"("trigger":{"on":"delegate.saved"},"rules":[{"field":"CourseDate.Status","op":"eq","value":"x"}],)" + send));
  struct bad_case {
    std::string module, members, field;
  };
  for (const auto& c : std::vector<bad_case>{
           {"Delegate", R"("trigger":{"on":"x"},"rules":[{"field":"Status","op":"exists"},{"field":"CourseDate.Staus","op":"exists"}],)" + send,
            "rules[1].field"},
           {"Delegate", R"("trigger":{"on":"x"},"rules":[{"any":[{"field":"Status","op":"exists"},{"field":"Stat","op":"exists"}]}],)" + send,
            "rules[0].any[1].field"},
           {"CourseDate", R"("trigger":{"date":"StartDat","offset":"-P14D"},)" + send, "trigger.date"},
           {"Delegate", R"("trigger":{"on":"x"},"actions":[{"kind":"send","template":"t","to":["User","User.Boss"]}])",
            "actions[0].to[1]"},
           {"Delegate", R"("trigger":{"on":"x"},"actions":[{"kind":"send","template":"t","to":["User"],"cc":["Usr"]}])",
            "actions[0].cc[0]"},
           {"CourseDate", R"("trigger":{"on":"x"},"actions":[{"kind":"send","template":"t","to":["Delegate<-Course"]}])",
            "actions[0].to[0]"},  // Delegate has no link Course
           {"Course", R"("trigger":{"on":"x"},"actions":[{"kind":"send","template":"t","to":["Delegate<-CourseDate"]}])",
            "actions[0].to[0]"},  // Delegate's CourseDate points at CourseDate, not Course
           {"CourseDate", R"("trigger":{"on":"x"},"actions":[{"kind":"send","template":"t","to":["Delegate<-CourseDate.Usr"]}])",
            "actions[0].to[0]"},
           {"Delegate", R"("trigger":{"on":"x"},"actions":[{"kind":"send","template":"t","to":["User"],"sender":"assigned:Owner"}])",
            "actions[0].sender"}}) {
    INFO(c.members);
    const auto st = check(c.module, c.members);
    REQUIRE_FALSE(st);
    CHECK(st.field() == c.field);
  }
  // Reverse links that hold, and recipients that are no paths.
  CHECK(check("CourseDate", R"("trigger":{"on":"x"},"actions":[{"kind":"send","template":"t",
      "to":["Delegate<-CourseDate.User.Manager","@self","role:admins"]}])"));
}

TEST_CASE("the config's modules are read, and a bad one is refused naming it", "[domain][modules][config]") {
  auto cfg = parse_config(R"({"modules": {"Delegate": {"fields": ["Status"], "links": {"User": "User"}}}})");
  REQUIRE(cfg);
  REQUIRE(cfg->modules.count("Delegate"));
  CHECK(cfg->modules.at("Delegate").fields.count("Status"));
  CHECK(cfg->modules.at("Delegate").links.at("User") == "User");
  CHECK(parse_config("{}")->modules.empty());
  struct bad_case {
    const char* json;
    const char* field;
  };
  for (const auto& c : {bad_case{R"({"modules": []})", "modules"},
                        bad_case{R"({"modules": {"Delegate": []}})", "modules.Delegate"},
                        bad_case{R"({"modules": {"Delegate": {"fields": "Status"}}})", "modules.Delegate.fields"},
                        bad_case{R"({"modules": {"Delegate": {"fields": ["A.B"]}}})", "modules.Delegate.fields"},
                        bad_case{R"({"modules": {"Delegate": {"links": {"User": 1}}}})", "modules.Delegate.links.User"},
                        bad_case{R"({"modules": {"Delegate": {"field": []}}})", "modules.Delegate.field"}}) {
    INFO(c.json);
    auto r = parse_config(c.json);
    REQUIRE_FALSE(r);
    CHECK(r.error().field() == c.field);
  }
}
