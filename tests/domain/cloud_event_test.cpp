#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "domain/cloud_event.hpp"
#include "tests/support/fixtures.hpp"

namespace json = boost::json;
using herald::domain::cloud_event;
using herald::domain::data_form;
using herald::domain::parse_cloud_event;

namespace {
herald::result<cloud_event> parse(const char* text) { return parse_cloud_event(json::parse(text)); }
}  // namespace

TEST_CASE("a minimal event parses with its required attributes", "[domain][cloudevents]") {
  auto ev = parse(R"({"specversion":"1.0","id":"1","source":"/s","type":"t"})");
  REQUIRE(ev);
  CHECK(ev->id == "1");
  CHECK(ev->source == "/s");
  CHECK(ev->type == "t");
  CHECK_FALSE(ev->subject);
  CHECK(ev->data_kind == data_form::none);
}

TEST_CASE("errors name the attribute at fault", "[domain][cloudevents]") {
  struct bad_case {
    const char* text;
    const char* field;
  };
  for (auto c : {bad_case{R"({"id":"1","source":"/s","type":"t"})", "specversion"},
                 bad_case{R"({"specversion":"1.0","source":"/s","type":"t"})", "id"},
                 bad_case{R"({"specversion":"1.0","id":"1","type":"t"})", "source"},
                 bad_case{R"({"specversion":"1.0","id":"1","source":"/s"})", "type"},
                 bad_case{R"({"specversion":"1.0","id":7,"source":"/s","type":"t"})", "id"},
                 bad_case{R"({"specversion":"1.0","id":"1","source":"/s","type":"t","time":"x"})", "time"},
                 bad_case{R"({"specversion":"1.0","id":"1","source":"/s","type":"t","Bad":"x"})", "Bad"},
                 bad_case{R"({"specversion":"1.0","id":"1","source":"/s","type":"t","ext":{"a":1}})", "ext"},
                 bad_case{R"({"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data_base64":"AA=="})", "data_base64"}}) {
    INFO(c.text);
    auto ev = parse(c.text);
    REQUIRE_FALSE(ev);
    CHECK(ev.error().field() == c.field);
    CHECK(ev.error().code() == herald::errc::invalid_argument);
  }
}

TEST_CASE("extensions and data survive a JSON round trip", "[domain][cloudevents]") {
  auto ev = parse(R"({"specversion":"1.0","id":"x","source":"s","type":"t","subject":"Delegate/d-1",
    "time":"2026-11-01T10:00:00Z","datacontenttype":"application/json","dataschema":"https://x/s",
    "extint":10,"extbool":true,"extstr":"v","data":{"label":"L","fields":{"A":1}}})");
  REQUIRE(ev);
  auto again = parse_cloud_event(json::parse(herald::domain::to_json_text(*ev)));
  REQUIRE(again);
  CHECK(*again == *ev);
  CHECK(json::parse(ev->extensions_json) == json::parse(R"({"extint":10,"extbool":true,"extstr":"v"})"));
}

TEST_CASE("media types are recognised", "[domain][cloudevents]") {
  using herald::domain::is_json_media_type;
  using herald::domain::is_media_type;
  CHECK(is_media_type("application/json"));
  CHECK(is_media_type("text/plain; charset=utf-8"));
  CHECK_FALSE(is_media_type("xyz"));
  CHECK_FALSE(is_media_type("/json"));
  CHECK(is_json_media_type(std::nullopt));
  CHECK(is_json_media_type(std::string("application/cloudevents+json")));
  CHECK_FALSE(is_json_media_type(std::string("text/xml")));
}

TEST_CASE("the CloudEvents conformance cases are accepted or rejected as labelled",
          "[domain][cloudevents][fixtures]") {
  auto valid = herald::test::conformance_suite("format_json_valid-events.json");
  auto invalid = herald::test::conformance_suite("format_json_invalid-events.json");
  if (!valid || !invalid) {
    return;
  }
  std::size_t checked = 0;
  for (const auto& t : *valid) {
    INFO(t.at("id").as_string().c_str());
    auto ev = parse_cloud_event(t.at("event"));
    CHECK(ev);
    ++checked;
  }
  for (const auto& t : *invalid) {
    INFO(t.at("id").as_string().c_str());
    CHECK_FALSE(parse_cloud_event(t.at("event")));
    ++checked;
  }
  CHECK(checked >= 30);
}
