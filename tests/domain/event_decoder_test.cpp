#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "domain/event_decoder.hpp"
#include "tests/support/fixtures.hpp"

namespace json = boost::json;
using namespace herald::domain;

namespace {
const std::string ok1 = R"({"specversion":"1.0","id":"a","source":"s","type":"t"})";
const std::string ok2 = R"({"specversion":"1.0","id":"b","source":"s","type":"t"})";
const std::string bad = R"({"specversion":"1.0","source":"s","type":"t"})";
}  // namespace

TEST_CASE("content types select the body format", "[domain][decoder]") {
  CHECK(*body_format_for("application/cloudevents+json") == body_format::single);
  CHECK(*body_format_for("application/json; charset=utf-8") == body_format::single);
  CHECK(*body_format_for("application/cloudevents-batch+json") == body_format::batch);
  CHECK(*body_format_for("application/x-ndjson") == body_format::ndjson);
  auto unsupported = body_format_for("text/plain");
  REQUIRE_FALSE(unsupported);
  CHECK(unsupported.error().code() == herald::errc::unsupported);
}

TEST_CASE("single, batch and NDJSON bodies decode", "[domain][decoder]") {
  CHECK(decode_events(ok1, body_format::single)->size() == 1);
  CHECK(decode_events("[" + ok1 + "," + ok2 + "]", body_format::batch)->size() == 2);
  CHECK(decode_events("[" + ok1 + "," + ok2 + "]", body_format::single)->size() == 2);
  CHECK(decode_events("[]", body_format::batch)->empty());
  auto nd = decode_events(ok1 + "\n\n" + ok2 + "\n", body_format::ndjson);
  REQUIRE(nd);
  CHECK(nd->size() == 2);
  CHECK((*nd)[1].id == "b");
}

TEST_CASE("one bad event fails the whole body and names its index", "[domain][decoder]") {
  auto batch = decode_events("[" + ok1 + "," + ok2 + "," + bad + "]", body_format::batch);
  REQUIRE_FALSE(batch);
  CHECK(batch.error().index() == 2);
  CHECK(batch.error().field() == "id");

  auto nd = decode_events(ok1 + "\n\n" + bad + "\n", body_format::ndjson);
  REQUIRE_FALSE(nd);
  CHECK(nd.error().index() == 1);
  CHECK(nd.error().message().find("line 3") != std::string::npos);

  auto broken = decode_events("{not json", body_format::single);
  REQUIRE_FALSE(broken);
  CHECK(broken.error().code() == herald::errc::parse_error);

  auto non_object = decode_events(R"(["x",)" + ok1 + "]", body_format::batch);
  REQUIRE_FALSE(non_object);
  CHECK(non_object.error().index() == 0);
}

TEST_CASE("entity events must carry entity-shaped data", "[domain][decoder]") {
  auto wrong = decode_events(
      R"({"specversion":"1.0","id":"a","source":"s","type":"t","subject":"Delegate/d-1","data":[1]})",
      body_format::single);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().field() == "data");
  auto base64 = decode_events(
      R"({"specversion":"1.0","id":"a","source":"s","type":"t","subject":"Delegate/d-1","data_base64":"AA=="})",
      body_format::single);
  REQUIRE_FALSE(base64);
  CHECK(base64.error().field() == "data_base64");
  // A subject that is not an entity key may carry anything.
  CHECK(decode_events(R"({"specversion":"1.0","id":"a","source":"s","type":"t","subject":"tests","data":[1]})",
                      body_format::single));
}

TEST_CASE("binary content mode reads ce- headers and keeps the body as data", "[domain][decoder]") {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"ce-specversion", "1.0"}, {"ce-id", "b1"}, {"ce-source", "sdk%2Fpython"},
      {"ce-type", "account.saved"}, {"ce-subject", "Account/a-1"}, {"ce-traceparent", "abc"}};
  auto json_ev = decode_binary_event(headers, "application/json", R"({"label":"Acme"})");
  REQUIRE(json_ev);
  CHECK(json_ev->source == "sdk/python");
  CHECK(json_ev->data_kind == data_form::json);
  CHECK(json::parse(json_ev->data) == json::parse(R"({"label":"Acme"})"));
  CHECK(json::parse(json_ev->extensions_json).at("traceparent") == "abc");

  headers[4].second = "report";
  auto bytes = decode_binary_event(headers, "application/octet-stream", std::string("\x00\x01hi", 4));
  REQUIRE(bytes);
  CHECK(bytes->data_kind == data_form::base64);
  CHECK(bytes->data == "AAFoaQ==");

  headers.erase(headers.begin() + 1);  // no ce-id
  auto missing = decode_binary_event(headers, "application/json", "{}");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().field() == "ce-id");
}

TEST_CASE("the CloudEvents conformance batches are accepted or rejected as labelled",
          "[domain][decoder][fixtures]") {
  auto valid = herald::test::conformance_suite("format_json_valid-batches.json");
  auto invalid = herald::test::conformance_suite("format_json_invalid-batches.json");
  if (!valid || !invalid) {
    return;
  }
  for (const auto& t : *valid) {
    INFO(t.at("id").as_string().c_str());
    auto events = decode_events(json::serialize(t.at("batch")), body_format::batch);
    REQUIRE(events);
    CHECK(events->size() == t.at("batch").as_array().size());
  }
  for (const auto& t : *invalid) {
    INFO(t.at("id").as_string().c_str());
    CHECK_FALSE(decode_events(json::serialize(t.at("batch")), body_format::batch));
  }
  // The spec's own examples beside the conformance suite are valid too.
  for (const char* name : {"structured_json_object_data.json", "structured_string_data_no_datacontenttype.json",
                           "structured_xml_string_data.json", "batch_two_events.json", "batch_empty.json"}) {
    INFO(name);
    CHECK(decode_events(herald::test::read_file(herald::test::fixtures_dir() / "cloudevents" / name),
                        body_format::single));
  }
}
