#include <catch2/catch.hpp>

#include <map>

#include <boost/json.hpp>

#include "domain/message_template.hpp"

namespace json = boost::json;
using namespace herald::domain;

namespace {
merge_resolver from(std::map<std::string, std::string> values) {
  return [values](const std::string& path) -> std::optional<std::string> {
    auto it = values.find(path);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

message_template booking() {
  auto t = parse_template(json::parse(R"({"channel": "email",
    "subject": "Booking confirmed: @@CourseDate.Course.Name",
    "html": "<p>Dear @@User.FirstName, see you on @@CourseDate.StartDate.</p>",
    "text": "Dear @@User.FirstName, see you on @@CourseDate.StartDate.",
    "attachments": [{"name": "joining-@@Id.txt", "body": "Joining notes for @@User.FirstName"}]})"));
  REQUIRE(t);
  return *t;
}
}  // namespace

TEST_CASE("merge fields are found, ending before a sentence's full stop", "[domain][template]") {
  CHECK(merge_fields(booking()) ==
        std::vector<std::string>{"CourseDate.Course.Name", "CourseDate.StartDate", "Id.txt", "User.FirstName"});
}

TEST_CASE("rendering merges values and escapes them in HTML only", "[domain][template]") {
  auto m = render_template(booking(), from({{"CourseDate.Course.Name", "First aid & CPR"},
                                            {"User.FirstName", "<Jane>"},
                                            {"CourseDate.StartDate", "2026-12-01"},
                                            {"Id", "d-42"}}));
  REQUIRE(m);
  CHECK(m->subject == "Booking confirmed: First aid & CPR");
  CHECK(m->html == "<p>Dear &lt;Jane&gt;, see you on 2026-12-01.</p>");
  CHECK(m->text == "Dear <Jane>, see you on 2026-12-01.");
  REQUIRE(m->attachments.size() == 1);
  CHECK(m->attachments[0].name == "joining-d-42.txt");
  CHECK(m->attachments[0].body == "Joining notes for <Jane>");
  CHECK(m->merge_values.size() == 4);
}

TEST_CASE("the merge values recorded render the same bytes again", "[domain][template]") {
  auto first = render_template(booking(), from({{"CourseDate.Course.Name", "First aid"},
                                                {"User.FirstName", "Jane \"J\" O'Neil"},
                                                {"CourseDate.StartDate", "2026-12-01"},
                                                {"Id", "d-42"}}));
  REQUIRE(first);
  auto again = render_template(booking(), from(first->merge_values));
  REQUIRE(again);
  CHECK(again->subject == first->subject);
  CHECK(again->html == first->html);
  CHECK(again->text == first->text);
  CHECK(again->attachments[0].body == first->attachments[0].body);
}

TEST_CASE("a missing merge field is an error naming it, not a blank", "[domain][template]") {
  auto m = render_template(booking(), from({{"CourseDate.Course.Name", "First aid"}, {"Id", "d-1"}}));
  REQUIRE_FALSE(m);
  CHECK(m.error().field() == "@@User.FirstName");
  CHECK(m.error().message().find("HTML body") != std::string::npos);
}

TEST_CASE("text without merge fields and lone @@ are left alone", "[domain][template]") {
  auto t = parse_template(json::parse(R"({"channel":"sms","text":"Mail us at info@@example or @@ 1"})"));
  REQUIRE(t);
  CHECK(merge_fields(*t) == std::vector<std::string>{"example"});
  auto plain = parse_template(json::parse(R"({"channel":"sms","text":"Costs 5 @@"})"));
  CHECK(render_template(*plain, from({}))->text == "Costs 5 @@");
}

TEST_CASE("bad templates are refused naming the member", "[domain][template]") {
  struct bad_case {
    const char* json;
    const char* field;
  };
  for (auto c : {bad_case{R"({"channel":"fax","text":"x"})", "channel"},
                 bad_case{R"({"channel":"email","text":"x"})", "subject"},
                 bad_case{R"({"channel":"sms"})", "text"},
                 bad_case{R"({"channel":"sms","text":"x","colour":"red"})", "colour"},
                 bad_case{R"({"channel":"sms","text":"x","attachments":[{"body":"b"}]})", "attachments[0].name"}}) {
    INFO(c.json);
    auto t = parse_template(json::parse(c.json));
    REQUIRE_FALSE(t);
    CHECK(t.error().field() == c.field);
  }
}

TEST_CASE("HTML escaping covers the five characters, at any place in a value", "[domain][template]") {
  CHECK(html_escape("") == "");
  CHECK(html_escape("plain") == "plain");
  CHECK(html_escape("&<>\"'") == "&amp;&lt;&gt;&quot;&#39;");
  CHECK(html_escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  auto t = parse_template(json::parse(R"({"channel":"email","subject":"@@Name",
    "html":"<b>@@Name</b> and @@Name.txt","text":"@@Name"})"));
  REQUIRE(t);
  auto m = render_template(*t, from({{"Name", "O'Neil & \"Sons\" <Ltd>"}}));
  REQUIRE(m);
  CHECK(m->html == "<b>O&#39;Neil &amp; &quot;Sons&quot; &lt;Ltd&gt;</b> and O&#39;Neil &amp; &quot;Sons&quot; &lt;Ltd&gt;.txt");
  CHECK(m->text == "O'Neil & \"Sons\" <Ltd>");
  // One value per path, whatever number of places used it.
  CHECK(m->merge_values == std::map<std::string, std::string>{{"Name", "O'Neil & \"Sons\" <Ltd>"}});
}
