#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "domain/channel_choice.hpp"
#include "domain/preferences.hpp"

using namespace herald::domain;
namespace json = boost::json;

namespace {
entity_record person(const char* contact_json, std::vector<std::string> invalid = {}) {
  entity_record r;
  r.contact = json::parse(contact_json).as_object();
  r.contact_invalid = std::move(invalid);
  return r;
}
}  // namespace

TEST_CASE("preferences: parsed with the member named on error, and asked per channel and category") {
  auto p = parse_preferences(json::parse(R"({"channels":{"email":"opt_out"},"categories":{"News":"opt_out"}})"));
  REQUIRE(p);
  CHECK(opt_out_reason(*p, "email", "Booking") == "opted out of email");
  CHECK(opt_out_reason(*p, "sms", "News") == "opted out of category News");
  CHECK(opt_out_reason(*p, "sms", "Booking").empty());
  auto all = parse_preferences(json::parse(R"({"all":"opt_out"})"));
  CHECK(opt_out_reason(*all, "manual", "") == "opted out of all communication");
  // What to_json writes reads back the same.
  auto again = parse_preferences(to_json(*p, "User/u-1"));
  REQUIRE(again);
  CHECK(again->channels == p->channels);
  CHECK(again->categories == p->categories);
  CHECK(parse_preferences(json::parse(R"({"channels":{"fax":"opt_out"}})")).error().field() == "channels.fax");
  CHECK(parse_preferences(json::parse(R"({"channels":{"email":"no"}})")).error().field() == "channels.email");
  CHECK(parse_preferences(json::parse(R"({"all":false})")).error().field() == "all");
  CHECK(parse_preferences(json::parse(R"([])")).error().field() == "body");
}

TEST_CASE("channel choice: the first channel that reaches the recipient, from a position in the list") {
  const std::vector<std::string> chain = {"email", "sms", "manual"};
  const auto both = person(R"({"email":"a@example.com","mobile":"+447700900123"})");
  CHECK(choose_channel(chain, 0, &both, {}, "").channel == "email");
  CHECK(choose_channel(chain, 1, &both, {}, "").channel == "sms");  // after email failed
  CHECK(choose_channel(chain, 2, &both, {}, "").channel == "manual");
  const auto bad_mobile = person(R"({"mobile":"07700 900123"})");
  auto c = choose_channel({"email", "sms"}, 0, &bad_mobile, {}, "");
  CHECK(c.channel.empty());
  CHECK(c.reason == "invalid_contact");
  const auto marked = person(R"({"email":"a@example.com"})", {"email"});
  CHECK(choose_channel({"email"}, 0, &marked, {}, "").reason == "invalid_contact");
  CHECK(choose_channel({"email"}, 0, nullptr, {}, "").reason == "no_contact");
  preferences no_email;
  no_email.channels["email"] = true;
  CHECK(choose_channel(chain, 0, &both, no_email, "").channel == "sms");
  c = choose_channel({"email"}, 0, &both, no_email, "");
  CHECK(c.reason == "opted_out");
  CHECK(c.detail == "opted out of email");
  // Opted out of one, no contact for the other: not purely an opt-out.
  CHECK(choose_channel({"email", "sms"}, 0, &marked, no_email, "").reason == "no_contact");
  CHECK(choose_channel({"email", "sms"}, 2, &both, {}, "").reason == "no_contact");
}

#include "domain/metrics_text.hpp"

TEST_CASE("metrics text: counters with labels, histograms with cumulative buckets and +Inf") {
  std::string out;
  write_metric(out, "x_total", "counter", "Things.", {{labels({{"a", "b\"c"}}), 3}});
  CHECK(out == "# HELP x_total Things.\n# TYPE x_total counter\nx_total{a=\"b\\\"c\"} 3\n");
  auto h = histogram::seconds();
  h.observe(0.0003);
  h.observe(0.002);
  h.observe(30);
  out.clear();
  write_histogram(out, "lat_seconds", "Latency.", {{labels({{"p", "x"}}), h}});
  CHECK(out.find("lat_seconds_bucket{p=\"x\",le=\"0.0005\"} 1\n") != std::string::npos);
  CHECK(out.find("lat_seconds_bucket{p=\"x\",le=\"0.0025\"} 2\n") != std::string::npos);
  CHECK(out.find("lat_seconds_bucket{p=\"x\",le=\"10\"} 2\n") != std::string::npos);
  CHECK(out.find("lat_seconds_bucket{p=\"x\",le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(out.find("lat_seconds_count{p=\"x\"} 3\n") != std::string::npos);
}
