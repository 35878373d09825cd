#include <catch2/catch.hpp>

#include "domain/config.hpp"

using namespace herald::domain;

TEST_CASE("an empty config gives the single-node defaults", "[domain][config]") {
  auto cfg = parse_config("{}");
  REQUIRE(cfg);
  CHECK(cfg->listen == "127.0.0.1:8080");
  CHECK(cfg->data_dir == "./herald-data");
  CHECK(cfg->sync == sync_policy::every_commit);
  CHECK(cfg->organisation.sending_time == "08:30");
  CHECK(cfg->organisation.business_days.size() == 5);
  CHECK(cfg->channels.at("email") == "sandbox");
  CHECK(cfg->http.max_body_bytes == 10u * 1024 * 1024);
  CHECK(check_startup(*cfg));
}

TEST_CASE("the SPEC example config parses", "[domain][config]") {
  auto cfg = parse_config(R"({
    "listen": "0.0.0.0:9090", "data_dir": "/var/lib/herald", "sync": "interval_ms",
    "sync_interval_ms": 50,
    "api_keys": [{"key": "0123456789abcdef0123", "role": "admin"}],
    "organisation": {"time_zone": "Europe/London", "sending_time": "08:30",
                     "business_days": ["Mon","Tue","Wed","Thu","Fri"], "holidays": ["2026-12-25"]},
    "roles": {"administrators": ["User/u-admin"]},
    "channels": {"email": "sendgrid", "sms": "twilio", "post": "post", "einvoice": "peppol"},
    "providers": {
      "sendgrid": {"base_url": "https://api.sendgrid.com", "api_key": "k", "webhook_public_key": "MFk",
                   "from": {"email": "a@b", "name": "A"}},
      "smtp": {"url": "smtp://127.0.0.1:2525", "from": "a@b"},
      "twilio": {"base_url": "https://api.twilio.com", "account_sid": "AC", "auth_token": "t",
                 "from": "+44", "status_callback_url": "https://h/v1/webhooks/twilio"},
      "post": {"base_url": "https://post", "api_key": "k"},
      "peppol": {"base_url": "https://ap", "sender_id": "0088:1"},
      "sandbox": {"failure_ratio": 0.1}},
    "retention": {"attachments_days": 28, "provider_events_days": 62}})");
  REQUIRE(cfg);
  CHECK(cfg->sync == sync_policy::interval);
  CHECK(cfg->sync_interval_ms == 50);
  CHECK(cfg->api_keys.at(0).role == "admin");
  CHECK(cfg->api_keys.at(0).name == "key-1");
  CHECK(cfg->roles.at("administrators").at(0) == "User/u-admin");
  CHECK(cfg->channels.at("sms") == "twilio");
  CHECK(check_startup(*cfg));
}

TEST_CASE("a bad config names the path of the bad key", "[domain][config]") {
  struct bad_case {
    const char* text;
    const char* field;
  };
  for (auto c : {bad_case{R"({"lisen": "x"})", "lisen"},
                 bad_case{R"({"listen": "localhost"})", "listen"},
                 bad_case{R"({"listen": "127.0.0.1:99999"})", "listen"},
                 bad_case{R"({"sync": "sometimes"})", "sync"},
                 bad_case{R"({"organisation": {"sending_time": "8.30"}})", "organisation.sending_time"},
                 bad_case{R"({"organisation": {"business_days": ["Mon", "Funday"]}})", "organisation.business_days[1]"},
                 bad_case{R"({"organisation": {"holidays": ["25/12/2026"]}})", "organisation.holidays[0]"},
                 bad_case{R"({"api_keys": [{"key": "0123456789abcdef", "role": "god"}]})", "api_keys[0].role"},
                 bad_case{R"({"api_keys": [{"key": "short", "role": "admin"}]})", "api_keys[0].key"},
                 bad_case{R"({"providers": {"twilio": {"base_url": "ftp://x"}}})", "providers.twilio.base_url"},
                 bad_case{R"({"providers": {"sendgrid": {"from": {"mail": "x"}}}})", "providers.sendgrid.from.mail"},
                 bad_case{R"({"providers": {"sandbox": {"failure_ratio": 2}}})", "providers.sandbox.failure_ratio"},
                 bad_case{R"({"providers": {"mailchimp": {}}})", "providers.mailchimp"},
                 bad_case{R"({"retention": {"attachments_days": -1}})", "retention.attachments_days"},
                 bad_case{R"({"http": {"max_body_bytes": "big"}})", "http.max_body_bytes"}}) {
    INFO(c.text);
    auto cfg = parse_config(c.text);
    REQUIRE_FALSE(cfg);
    CHECK(cfg.error().field() == c.field);
  }
  CHECK(parse_config("{nope").error().code() == herald::errc::parse_error);
}

TEST_CASE("a non-loopback listen address needs API keys", "[domain][config]") {
  auto cfg = parse_config(R"({"listen": "0.0.0.0:8080"})");
  REQUIRE(cfg);
  auto st = check_startup(*cfg);
  CHECK_FALSE(st);
  CHECK(st.field() == "api_keys");
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("::1"));
  CHECK_FALSE(is_loopback_host("10.0.0.1"));
}
