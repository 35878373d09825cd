// Real providers end to end: `herald serve` configured with SendGrid and
// Twilio pointed at fake servers on loopback (tests/support/fake_provider),
// real curl calls out, signed webhooks back in, statuses read from the log.

#include <catch2/catch.hpp>

#include <filesystem>
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <memory>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "adapters/providers/form_encoding.hpp"
#include "adapters/providers/webhook_signature.hpp"
#include "domain/base64.hpp"
#include "domain/rfc3339.hpp"
#include "tests/support/engine_client.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/events.hpp"
#include "tests/support/fake_provider.hpp"

namespace json = boost::json;
using herald::test::engine_client;
using herald::test::event_line;
using herald::test::fake_provider;
using herald::test::http_answer;

namespace {

// A P-256 key pair standing in for SendGrid's: the test signs webhooks with
// it, Herald verifies them with the public half.
class signing_key {
 public:
  signing_key() : key_(EVP_EC_gen("P-256"), EVP_PKEY_free) {}
  std::string public_der_b64() const {
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key_.get(), &der);
    std::string out = herald::domain::base64_encode(std::string_view(reinterpret_cast<char*>(der), n));
    OPENSSL_free(der);
    return out;
  }
  std::string sign_b64(const std::string& message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get());
    std::size_t length = 0;
    EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    std::string sig(length, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &length,
                   reinterpret_cast<const unsigned char*>(message.data()), message.size());
    sig.resize(length);
    return herald::domain::base64_encode(sig);
  }

 private:
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
};

const char* const twilio_callback = "http://hooks.herald.test/v1/webhooks/twilio";

std::string write_config(herald::test::temp_dir& dir, const std::string& sendgrid_url, const std::string& twilio_url,
                         const std::string& public_key, const std::string& sendgrid_extra = "") {
  const std::string path = dir.sub("herald.json");
  std::ofstream(path) << R"({"channels": {"email": "sendgrid", "sms": "twilio"},
    "providers": {
      "sendgrid": {"base_url": ")" << sendgrid_url << R"(", "api_key": "SG.test-key",
                   "webhook_public_key": ")" << public_key << R"(",
                   "from": {"email": "noreply@herald.test", "name": "Herald"})" << sendgrid_extra << R"(},
      "twilio": {"base_url": ")" << twilio_url << R"(", "account_sid": "AC123", "auth_token": "tw-token",
                 "from": "+15017122661", "status_callback_url": ")" << twilio_callback << R"("}}})";
  return path;
}

void define(engine_client& e) {
  REQUIRE(e.put("/v1/templates/hello", R"({"channel":"email","subject":"Hello @@FirstName",
      "html":"<p>Hello @@FirstName</p>","text":"Hello @@FirstName"})").status == 200);
  REQUIRE(e.put("/v1/workflows/welcome", R"({"title":"Welcome","module":"Person","trigger":{"on":"person.saved"},
      "actions":[{"kind":"send","template":"hello","to":["@self"],"channels":["email"],"category":"News"}]})").status == 200);
  REQUIRE(e.put("/v1/workflows/chain", R"({"title":"Chain","module":"Member","trigger":{"on":"member.saved"},
      "actions":[{"kind":"send","template":"hello","to":["@self"],"channels":["email","sms"],"category":"News"}]})").status == 200);
  REQUIRE(e.put("/v1/workflows/news", R"({"title":"News","module":"Reader","trigger":{"on":"reader.saved"},"once_per_entity":false,
      "actions":[{"kind":"send","template":"hello","to":["@self"],"channels":["email"],"category":"News"}]})").status == 200);
  REQUIRE(e.put("/v1/workflows/text", R"({"title":"Text","module":"Phone","trigger":{"on":"phone.saved"},
      "actions":[{"kind":"send","template":"hello","to":["@self"],"channels":["sms"],"category":"News"}]})").status == 200);
}

// The latest attempt of the entity's communication (one per test entity).
// The virtual clock stands still here, so "latest" is the attempt number.
json::object attempt_of(engine_client& e, const std::string& entity) {
  std::string latest;
  std::int64_t number = 0;
  for (const auto& item : e.items("/v1/log?limit=100&mapped_to=" + entity)) {
    if (item.at("attempt").to_number<std::int64_t>() > number) {
      number = item.at("attempt").to_number<std::int64_t>();
      latest = std::string(item.at("id").as_string());
    }
  }
  return latest.empty() ? json::object{} : e.get("/v1/log/" + latest).body.as_object();
}

// Waits (bounded) for the attempt of `entity` to reach `status`.
json::object wait_for_status(engine_client& e, const std::string& entity, const std::string& status) {
  json::object a;
  herald::test::eventually(
      [&] {
        a = attempt_of(e, entity);
        return a.contains("status") && a.at("status") == status.c_str();
      },
      std::chrono::seconds(10), herald::test::http_poll);
  return a;
}

// Under --time-skipping, retries wait on the virtual clock: moves it on in
// steps until the provider has had `calls` calls (bounded).
void drive(engine_client& e, fake_provider& fake, std::size_t calls, const std::string& step = "PT5S") {
  for (int i = 0; i < 400 && fake.count() < calls; ++i) {
    const std::size_t before = fake.count();
    REQUIRE(e.advance(step).status == 200);
    fake.wait_for(before + 1, std::chrono::seconds(1));
  }
}

json::value post_signed(engine_client& e, const signing_key& key, const std::string& body, long* status_out,
                        const std::string& timestamp = std::to_string(std::time(nullptr))) {
  herald::adapters::http_client c;
  auto r = c.request("POST", e.url() + "/v1/webhooks/sendgrid",
                     {{"Content-Type", "application/json"},
                      {"X-Twilio-Email-Event-Webhook-Timestamp", timestamp},
                      {"X-Twilio-Email-Event-Webhook-Signature", key.sign_b64(timestamp + body)}},
                     body);
  *status_out = r ? r->status : 0;
  json::error_code ec;
  return r ? json::parse(r->body, ec) : json::value();
}

}  // namespace

TEST_CASE("email through SendGrid: retried through 503 and 429, sent, then delivered by a signed webhook",
          "[system][providers]") {
  herald::test::temp_dir dir;
  signing_key key;
  fake_provider sendgrid([](const herald::adapters::http_request&, std::size_t i) {
    if (i == 0) return http_answer(503, R"({"errors":[{"message":"try later"}]})");
    if (i == 1) return http_answer(429, R"({"errors":[{"message":"too many requests"}]})", {{"Retry-After", "1"}});
    return http_answer(202, "", {{"X-Message-Id", "sg-msg-1"}});
  });
  fake_provider twilio([](const herald::adapters::http_request&, std::size_t) { return http_answer(500, ""); });
  engine_client e(dir.sub("data"), {"--time-skipping", "--config", write_config(dir, sendgrid.url(), twilio.url(),
                                                                                key.public_der_b64())});
  define(e);
  REQUIRE(e.ingest(event_line("p1", "Person/p-1",
                              R"({"label":"Dana","fields":{"FirstName":"Dana"},"contact":{"email":"dana@example.com"}})",
                              "person.saved") + "\n").status == 202);
  drive(e, sendgrid, 3);
  const auto requests = sendgrid.wait_for(3);
  REQUIRE(requests.size() == 3);
  const auto& call = requests[2];
  CHECK(call.path == "/v3/mail/send");
  CHECK(call.header("authorization") == std::optional<std::string>("Bearer SG.test-key"));
  const auto body = json::parse(call.body).as_object();
  CHECK(body.at("personalizations").at(0).at("to").at(0).at("email") == "dana@example.com");
  CHECK(body.at("from").at("email") == "noreply@herald.test");
  CHECK(body.at("subject") == "Hello Dana");
  const std::string attempt_id(body.at("personalizations").at(0).at("custom_args").at("herald_attempt").as_string());

  auto a = wait_for_status(e, "Person/p-1", "sent");
  REQUIRE(a.at("status") == "sent");
  CHECK(a.at("id") == attempt_id.c_str());
  CHECK(a.at("provider") == "sendgrid");
  CHECK(a.at("provider_message_id") == "sg-msg-1");
  CHECK(a.at("sender") == "Herald <noreply@herald.test>");  // the from used is on the attempt
  CHECK(body.at("from").at("name") == "Herald");
  int retries = 0;
  for (const auto& t : a.at("timeline").as_array()) retries += t.at("status") == "retrying";
  CHECK(retries == 2);  // each retry is on the record

  const std::string delivered = R"([{"email":"dana@example.com","event":"delivered","sg_event_id":"ev-1",
    "sg_message_id":"sg-msg-1.filter","timestamp":)" + std::to_string(std::time(nullptr)) +
                                R"(,"herald_attempt":")" + attempt_id + "\"}]\r\n";
  long status = 0;
  auto answer = post_signed(e, key, delivered, &status);
  REQUIRE(status == 200);
  CHECK(answer.at("accepted") == 1);
  a = wait_for_status(e, "Person/p-1", "delivered");
  CHECK(a.at("status") == "delivered");

  // The same delivery again changes nothing.
  answer = post_signed(e, key, delivered, &status);
  CHECK(status == 200);
  CHECK(answer.at("duplicates") == 1);
  // A late "processed" does not undo the delivery; it is on the timeline.
  const std::string late = R"([{"email":"dana@example.com","event":"processed","sg_event_id":"ev-0",
    "timestamp":1,"herald_attempt":")" + attempt_id + "\"}]";
  answer = post_signed(e, key, late, &status);
  CHECK(status == 200);
  CHECK(e.settle().status == 200);
  a = attempt_of(e, "Person/p-1");
  CHECK(a.at("status") == "delivered");

  // Tampered, unsigned, stale: 401, nothing kept.
  herald::adapters::http_client c;
  const std::string ts = std::to_string(std::time(nullptr));
  auto r = c.request("POST", e.url() + "/v1/webhooks/sendgrid",
                     {{"X-Twilio-Email-Event-Webhook-Timestamp", ts},
                      {"X-Twilio-Email-Event-Webhook-Signature", key.sign_b64(ts + delivered)}},
                     R"([{"event":"bounce","sg_event_id":"ev-9","herald_attempt":")" + attempt_id + "\"}]");
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(json::parse(r->body).at("error").at("field") == "X-Twilio-Email-Event-Webhook-Signature");
  r = c.request("POST", e.url() + "/v1/webhooks/sendgrid", {}, delivered);
  CHECK(r->status == 401);
  post_signed(e, key, delivered, &status, std::to_string(std::time(nullptr) - 3600));
  CHECK(status == 401);
  CHECK(attempt_of(e, "Person/p-1").at("status") == "delivered");

  // The calls show in the metrics: three answered, one provider.
  {
    herald::adapters::http_client mc;
    auto m = mc.request("GET", e.url() + "/metrics");
    REQUIRE(m);
    CHECK(m->status == 200);
    CHECK(m->header("content-type").find("text/plain") == 0);
    CHECK(m->body.find("herald_provider_call_seconds_count{provider=\"sendgrid\"} 3\n") != std::string::npos);
    CHECK(m->body.find("herald_provider_breaker_open{provider=\"sendgrid\"} 0\n") != std::string::npos);
    CHECK(m->body.find("herald_attempt_records_total{channel=\"email\",status=\"delivered\"} ") !=
          std::string::npos);
    CHECK(m->body.find("herald_queue_pending_sends 0\n") != std::string::npos);
    // The router's part: nothing held back, and how far the engine got.
    CHECK(m->body.find("herald_engine_events_held 0\n") != std::string::npos);
    CHECK(m->body.find("herald_engine_events_waiting 0\n") != std::string::npos);
    CHECK(m->body.find("herald_engine_retries_total 0\n") != std::string::npos);
    CHECK(m->body.find("herald_entities_live ") != std::string::npos);
    const std::string sample = "\nherald_engine_handled_through_seq ";
    const auto through = m->body.find(sample);
    REQUIRE(through != std::string::npos);
    CHECK(std::stoull(m->body.substr(through + sample.size())) > 0);
    CHECK(m->body.find("# TYPE herald_store_commit_seconds histogram") != std::string::npos);
    // A store this small never had RocksDB stall its writes.
    CHECK(m->body.find("herald_store_write_stalls_total{condition=\"stopped\"} 0\n") != std::string::npos);
    CHECK(m->body.find("herald_store_write_stall_seconds_total 0\n") != std::string::npos);
    CHECK(m->body.find("herald_store_writes_stopped 0\n") != std::string::npos);
  }
  // An event for an attempt Herald never made is kept as an orphan.
  answer = post_signed(e, key, R"([{"event":"delivered","sg_event_id":"ev-x","herald_attempt":"c-nope.1"}])", &status);
  CHECK(status == 200);
  CHECK(answer.at("orphans") == 1);
  // A body that is not an event array names what is wrong.
  answer = post_signed(e, key, R"({"event":"delivered"})", &status);
  CHECK(status == 400);
}

TEST_CASE("a 4xx from SendGrid rejects the attempt with the provider's reason, nothing is retried",
          "[system][providers]") {
  herald::test::temp_dir dir;
  fake_provider sendgrid([](const herald::adapters::http_request&, std::size_t) {
    return http_answer(400, R"({"errors":[{"message":"The from address does not match a verified Sender Identity","field":"from"}]})");
  });
  fake_provider twilio([](const herald::adapters::http_request&, std::size_t) { return http_answer(500, ""); });
  engine_client e(dir.sub("data"), {"--time-skipping", "--config", write_config(dir, sendgrid.url(), twilio.url(), "")});
  define(e);
  REQUIRE(e.ingest(event_line("p2", "Person/p-2",
                              R"({"label":"Lee","fields":{"FirstName":"Lee"},"contact":{"email":"lee@example.com"}})",
                              "person.saved") + "\n").status == 202);
  json::object a;
  herald::test::eventually(
      [&] {
        auto failed = e.items("/v1/log?status=failed");
        if (!failed.empty()) a = failed[0].as_object();
        return !a.empty();
      },
      std::chrono::seconds(10), herald::test::http_poll);
  REQUIRE(a.at("status") == "rejected");
  const std::string reason(a.at("status_reason").as_string());
  CHECK(reason.find("400") != std::string::npos);
  CHECK(reason.find("verified Sender Identity (from)") != std::string::npos);
  CHECK(sendgrid.count() == 1);
  // No other channel in the action: a manual task follows the rejection.
  CHECK(e.items("/v1/log?status=failed").size() == 1);
  CHECK(wait_for_status(e, "Person/p-2", "task_open").at("attempt") == 2);
}

TEST_CASE("SMS through Twilio: E.164 checked first, form and basic auth, a signed status callback",
          "[system][providers]") {
  herald::test::temp_dir dir;
  fake_provider sendgrid([](const herald::adapters::http_request&, std::size_t) { return http_answer(500, ""); });
  fake_provider twilio([](const herald::adapters::http_request&, std::size_t) {
    return http_answer(201, R"({"sid":"SM-test-1","status":"queued"})");
  });
  engine_client e(dir.sub("data"), {"--time-skipping", "--config", write_config(dir, sendgrid.url(), twilio.url(), "")});
  define(e);
  REQUIRE(e.ingest(event_line("ph1", "Phone/ph-1",
                              R"({"label":"Kim","fields":{"FirstName":"Kim"},"contact":{"mobile":"+447700900123"}})",
                              "phone.saved") + "\n" +
                   event_line("ph2", "Phone/ph-2",
                              R"({"label":"Bo","fields":{"FirstName":"Bo"},"contact":{"mobile":"07700 900123"}})",
                              "phone.saved") + "\n").status == 202);
  // A number that is not E.164 is never sent: not_sent, invalid_contact.
  auto bad = wait_for_status(e, "Phone/ph-2", "not_sent");
  CHECK(bad.at("status_reason") == "invalid_contact");

  const auto requests = twilio.wait_for(1);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].path == "/2010-04-01/Accounts/AC123/Messages.json");
  CHECK(requests[0].header("authorization") ==
        std::optional<std::string>("Basic " + herald::domain::base64_encode("AC123:tw-token")));
  auto form = herald::adapters::providers::form_decode(requests[0].body);
  REQUIRE(form);
  std::map<std::string, std::string> fields(form->begin(), form->end());
  CHECK(fields["To"] == "+447700900123");
  CHECK(fields["Body"] == "Hello Kim");
  CHECK(fields["From"] == "+15017122661");
  REQUIRE(fields["StatusCallback"].rfind(std::string(twilio_callback) + "?herald_attempt=", 0) == 0);
  CHECK(twilio.count() == 1);  // the bad number made no call

  auto a = wait_for_status(e, "Phone/ph-1", "sent");
  CHECK(a.at("provider_message_id") == "SM-test-1");
  // Twilio posts to the callback URL it was given, signed with the auth token.
  const std::string callback = fields["StatusCallback"];
  const herald::adapters::providers::form_params params = {
      {"MessageSid", "SM-test-1"}, {"MessageStatus", "undelivered"}, {"ErrorCode", "30003"}, {"To", "+447700900123"}};
  const std::string query = callback.substr(callback.find('?'));
  herald::adapters::http_client c;
  auto post = [&](const std::string& signature) {
    return c.request("POST", e.url() + "/v1/webhooks/twilio" + query,
                     {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Twilio-Signature", signature}},
                     herald::adapters::providers::form_encode(params));
  };
  auto r = post("bm90IGEgc2lnbmF0dXJl");
  REQUIRE(r);
  CHECK(r->status == 401);
  r = post(herald::adapters::providers::twilio_signature("tw-token", callback, params));
  REQUIRE(r);
  CHECK(r->status == 200);
  // SMS was the action's only channel: a manual task follows.
  CHECK(wait_for_status(e, "Phone/ph-1", "task_open").at("attempt") == 2);
  a = e.get("/v1/log/" + std::string(a.at("id").as_string())).body.as_object();
  CHECK(a.at("status") == "undelivered");
  CHECK(a.at("status_reason") == "Twilio error 30003");
}

TEST_CASE("a SendGrid outage: attempts are retried (breaker and backoff) until it ends, then sent exactly once",
          "[system][providers]") {
  herald::test::temp_dir dir;
  constexpr std::size_t people = 20, failures = 30;
  std::mutex mutex;
  std::map<std::string, int> accepted;  // attempt id -> 2xx answers
  fake_provider sendgrid([&](const herald::adapters::http_request& req, std::size_t i) {
    if (i < failures) return http_answer(i % 2 ? 503 : 502, "down");
    const auto body = json::parse(req.body);
    std::lock_guard<std::mutex> lock(mutex);
    ++accepted[std::string(body.at("personalizations").at(0).at("custom_args").at("herald_attempt").as_string())];
    return http_answer(202, "", {{"X-Message-Id", "m-" + std::to_string(i)}});
  });
  fake_provider twilio([](const herald::adapters::http_request&, std::size_t) { return http_answer(500, ""); });
  engine_client e(dir.sub("data"),
                  {"--time-skipping", "--config",
                   write_config(dir, sendgrid.url(), twilio.url(), "",
                                R"(, "retry_base_ms": 20, "retry_max_ms": 100, "breaker_failures": 5,
                                     "breaker_open_ms": 50, "max_in_flight": 8)")});
  define(e);
  std::string events;
  for (std::size_t i = 0; i < people; ++i) {
    events += event_line("p" + std::to_string(i), "Person/o-" + std::to_string(i),
                         R"({"label":"P","fields":{"FirstName":"P"},"contact":{"email":"p)" + std::to_string(i) +
                             R"(@example.com"}})",
                         "person.saved") + "\n";
  }
  REQUIRE(e.ingest(events).status == 202);
  drive(e, sendgrid, failures + people, "PT1S");
  const auto requests = sendgrid.wait_for(failures + people);
  REQUIRE(requests.size() == failures + people);
  for (std::size_t i = 0; i < people; ++i) {
    auto a = wait_for_status(e, "Person/o-" + std::to_string(i), "sent");
    CHECK(a.at("status") == "sent");
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(accepted.size() == people);  // every attempt got through...
    for (const auto& [id, n] : accepted) CHECK(n == 1);  // ...exactly once
  }
  // While the breaker was open only probes went out: no call beyond those.
  CHECK(sendgrid.count() == failures + people);
}

namespace {

// Posts a status callback signed as Twilio would, for the attempt whose
// callback URL is `callback`.
long post_twilio(engine_client& e, const std::string& callback, const herald::adapters::providers::form_params& params) {
  herald::adapters::http_client c;
  auto r = c.request("POST", e.url() + "/v1/webhooks/twilio" + callback.substr(callback.find('?')),
                     {{"Content-Type", "application/x-www-form-urlencoded"},
                      {"X-Twilio-Signature", herald::adapters::providers::twilio_signature("tw-token", callback, params)}},
                     herald::adapters::providers::form_encode(params));
  return r ? r->status : 0;
}

std::string sendgrid_event(const std::string& kind, const std::string& id, const std::string& attempt) {
  return R"([{"email":"x@example.com","event":")" + kind + R"(","sg_event_id":")" + id + R"(","timestamp":)" +
         std::to_string(std::time(nullptr)) + R"(,"herald_attempt":")" + attempt + "\"}]";
}

}  // namespace

TEST_CASE("fallback: a bounced email goes by SMS, an undelivered SMS becomes a manual task, one communication",
          "[system][providers]") {
  herald::test::temp_dir dir;
  signing_key key;
  fake_provider sendgrid([](const herald::adapters::http_request&, std::size_t) {
    return http_answer(202, "", {{"X-Message-Id", "sg-1"}});
  });
  fake_provider twilio([](const herald::adapters::http_request&, std::size_t) {
    return http_answer(201, R"({"sid":"SM-fb","status":"queued"})");
  });
  engine_client e(dir.sub("data"), {"--time-skipping", "--config",
                                    write_config(dir, sendgrid.url(), twilio.url(), key.public_der_b64())});
  define(e);
  REQUIRE(e.ingest(event_line("m1", "Member/m-1",
                              R"({"label":"Ola","fields":{"FirstName":"Ola"},"contact":{"email":"ola@example.com","mobile":"+447700900555"}})",
                              "member.saved") + "\n").status == 202);
  auto email = wait_for_status(e, "Member/m-1", "sent");
  REQUIRE(email.at("channel") == "email");
  const std::string email_id(email.at("id").as_string());
  long status = 0;
  post_signed(e, key, sendgrid_event("bounce", "b-1", email_id), &status);
  REQUIRE(status == 200);

  // The next channel of the action: a new attempt of the same communication.
  const auto texts = twilio.wait_for(1);
  REQUIRE(texts.size() == 1);
  json::object sms;
  herald::test::eventually(
      [&] {
        sms = attempt_of(e, "Member/m-1");
        return sms.contains("attempt") && sms.at("attempt") == 2 && sms.at("status") == "sent";
      },
      std::chrono::seconds(10), herald::test::http_poll);
  REQUIRE(sms.at("channel") == "sms");
  CHECK(sms.at("communication_id") == email.at("communication_id"));
  CHECK(sms.at("attempt") == 2);
  CHECK(std::string(sms.at("timeline").at(0).at("reason").as_string()).find("after bounced on email") !=
        std::string::npos);
  auto form = herald::adapters::providers::form_decode(texts[0].body);
  std::map<std::string, std::string> fields(form->begin(), form->end());
  CHECK(fields["Body"] == "Hello Ola");
  REQUIRE(post_twilio(e, fields["StatusCallback"], {{"MessageSid", "SM-fb"}, {"MessageStatus", "undelivered"}}) == 200);

  // No channel left: a manual task, the third attempt.
  auto manual = wait_for_status(e, "Member/m-1", "task_open");
  CHECK(manual.at("channel") == "manual");
  CHECK(manual.at("attempt") == 3);
  const auto tasks = e.items("/v1/tasks");
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0].at("reason") == "delivery_failed");
  const auto comms = e.items("/v1/communications?mapped_to=Member/m-1");
  REQUIRE(comms.size() == 1);
  CHECK(comms[0].at("attempts") == 3);
  CHECK(comms[0].at("latest_status") == "task_open");
  CHECK(sendgrid.count() == 1);
  CHECK(twilio.count() == 1);
  // The email attempt shows what SendGrid reported about it.
  const auto bounced = e.get("/v1/log/" + email_id).body;
  REQUIRE(bounced.at("provider_events").as_array().size() == 1);
  CHECK(bounced.at("provider_events").at(0).at("event") == "bounce");

  // The operator calls, and says so: the task closes, the attempt is completed.
  const std::string task_id(tasks[0].at("id").as_string());
  CHECK(e.call("POST", "/v1/tasks/" + task_id + "/complete", "{}").body.at("error").at("field") == "outcome");
  CHECK(e.call("POST", "/v1/tasks/nope/complete", R"({"outcome":"x"})").status == 404);
  auto done = e.call("POST", "/v1/tasks/" + task_id + "/complete", R"({"outcome":"Called Ola, all good"})");
  REQUIRE(done.status == 200);
  CHECK(done.body.at("status") == "completed");
  CHECK(e.call("POST", "/v1/tasks/" + task_id + "/complete", R"({"outcome":"again"})").status == 409);
  auto completed = wait_for_status(e, "Member/m-1", "completed");
  CHECK(completed.at("status_reason") == "Called Ola, all good");
  CHECK(e.items("/v1/tasks").empty());
  CHECK(e.items("/v1/communications?mapped_to=Member/m-1")[0].at("latest_status") == "completed");
}

TEST_CASE("preferences: an unsubscribe webhook or a PUT stops the next send, bad preferences name the member",
          "[system][providers]") {
  herald::test::temp_dir dir;
  signing_key key;
  fake_provider sendgrid([](const herald::adapters::http_request&, std::size_t) {
    return http_answer(202, "", {{"X-Message-Id", "sg-2"}});
  });
  fake_provider twilio([](const herald::adapters::http_request&, std::size_t) { return http_answer(500, ""); });
  engine_client e(dir.sub("data"), {"--time-skipping", "--config",
                                    write_config(dir, sendgrid.url(), twilio.url(), key.public_der_b64())});
  define(e);
  const std::string reader = R"({"label":"Rae","fields":{"FirstName":"Rae"},"contact":{"email":"rae@example.com"}})";
  REQUIRE(e.ingest(event_line("r1", "Reader/r-1", reader, "reader.saved") + "\n").status == 202);
  auto first = wait_for_status(e, "Reader/r-1", "sent");
  REQUIRE(first.at("status") == "sent");
  long status = 0;
  post_signed(e, key, sendgrid_event("unsubscribe", "u-1", std::string(first.at("id").as_string())), &status);
  REQUIRE(status == 200);
  auto prefs = e.get("/v1/recipients/Reader/r-1/preferences");
  REQUIRE(prefs.status == 200);
  CHECK(prefs.body.at("channels").at("email") == "opt_out");
  CHECK(prefs.body.at("updated_by") == "sendgrid: unsubscribe");

  // The next message is not sent, and nobody is asked to get round it.
  REQUIRE(e.ingest(event_line("r2", "Reader/r-1", reader, "reader.saved") + "\n").status == 202);
  auto second = wait_for_status(e, "Reader/r-1", "not_sent");
  CHECK(second.at("status_reason") == "opted_out");
  CHECK(e.items("/v1/tasks").empty());
  CHECK(sendgrid.count() == 1);

  // Opting back in by PUT; then all communication off for another reader.
  REQUIRE(e.put("/v1/recipients/Reader/r-1/preferences", R"({"channels":{"email":"opt_in"}})").status == 200);
  REQUIRE(e.ingest(event_line("r3", "Reader/r-1", reader, "reader.saved") + "\n").status == 202);
  CHECK(wait_for_status(e, "Reader/r-1", "sent").at("status") == "sent");
  CHECK(sendgrid.count() == 2);
  REQUIRE(e.put("/v1/recipients/Reader/r-2/preferences", R"({"all":"opt_out"})").status == 200);
  REQUIRE(e.ingest(event_line("r4", "Reader/r-2", reader, "reader.saved") + "\n").status == 202);
  CHECK(wait_for_status(e, "Reader/r-2", "not_sent").at("status_reason") == "opted_out");
  // A category opt-out only stops that category.
  auto r = e.put("/v1/recipients/Reader/r-3/preferences", R"({"categories":{"News":"opt_out"}})");
  CHECK(r.status == 200);
  CHECK(r.body.at("categories").at("News") == "opt_out");

  auto bad = e.put("/v1/recipients/Reader/r-1/preferences", R"({"channels":{"fax":"opt_out"}})");
  CHECK(bad.status == 400);
  CHECK(bad.body.at("error").at("field") == "channels.fax");
  bad = e.put("/v1/recipients/Reader/r-1/preferences", R"({"all":true})");
  CHECK(bad.body.at("error").at("field") == "all");
  bad = e.put("/v1/recipients/Reader/r-1/preferences", R"({"everything":"opt_out"})");
  CHECK(bad.body.at("error").at("field") == "everything");
  CHECK(e.put("/v1/recipients/Reader/r-1/preferences", "not json").status == 400);
  CHECK(e.get("/v1/recipients/nokey/preferences").status == 400);
  // What was refused changed nothing.
  CHECK(e.get("/v1/recipients/Reader/r-1/preferences").body.at("channels").at("email") == "opt_in");
  CHECK(e.get("/v1/recipients/Reader/r-9/preferences").body.at("all") == "opt_in");
}

namespace {

// A free loopback port for a server the test starts (bound, then released).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

TEST_CASE("email through SMTP: a real MTA (aiosmtpd) receives the MIME message with text, HTML and attachment",
          "[system][providers][smtp]") {
  if (!std::filesystem::exists("/usr/bin/python3") ||
      herald::test::run_program({"/usr/bin/python3", "-c", "import aiosmtpd"}).exit_code != 0) {
    herald::test::report_skipped("python3-aiosmtpd is not installed (scripts/install-deps.sh installs it)");
    return;
  }
  herald::test::temp_dir dir;
  const std::string maildir = dir.sub("maildir");
  const int port = free_port();
  herald::test::child_process mta({"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
                                   "127.0.0.1:" + std::to_string(port), "-c", "aiosmtpd.handlers.Mailbox", maildir});
  REQUIRE(herald::test::eventually([&] { return accepts(port); }, std::chrono::seconds(5), herald::test::http_poll));
  const std::string config = dir.sub("herald.json");
  std::ofstream(config) << R"({"channels": {"email": "smtp"}, "providers": {"smtp": {"url": "smtp://127.0.0.1:)" << port
                        << R"(", "from": "Herald <noreply@herald.test>"}}})";
  engine_client e(dir.sub("data"), {"--time-skipping", "--config", config});
  REQUIRE(e.put("/v1/templates/cert", R"({"channel":"email","subject":"Certificate for @@FirstName — well done",
      "html":"<p>Well done @@FirstName</p>","text":"Well done @@FirstName",
      "attachments":[{"name":"certificate.txt","content_type":"text/plain","body":"Certificate: @@FirstName"}]})").status == 200);
  REQUIRE(e.put("/v1/workflows/cert", R"({"title":"Cert","module":"Person","trigger":{"on":"person.saved"},
      "actions":[{"kind":"send","template":"cert","to":["@self"],"channels":["email"],"category":"Course"}]})").status == 200);
  REQUIRE(e.ingest(event_line("s1", "Person/s-1",
                              R"({"label":"Zoë Quinn","fields":{"FirstName":"Zoë"},"contact":{"email":"zoe@example.com"}})",
                              "person.saved") + "\n").status == 202);
  auto a = wait_for_status(e, "Person/s-1", "sent");
  REQUIRE(a.at("status") == "sent");
  CHECK(a.at("provider") == "smtp");

  std::string message;
  herald::test::eventually(
      [&] {
        if (std::filesystem::exists(maildir + "/new")) {
          for (const auto& f : std::filesystem::directory_iterator(maildir + "/new")) {
            message = herald::test::read_file(f.path());
          }
        }
        return !message.empty();
      },
      std::chrono::seconds(5));
  REQUIRE(!message.empty());
  const std::string attempt_id(a.at("id").as_string());
  CHECK(message.find("X-Herald-Attempt: " + attempt_id) != std::string::npos);
  CHECK(message.find("From: \"Herald\" <noreply@herald.test>") != std::string::npos);
  CHECK(a.at("sender") == "Herald <noreply@herald.test>");
  CHECK(message.find("To: \"Zo") == std::string::npos);  // a non-ASCII name is an encoded word
  CHECK(message.find("=?UTF-8?B?") != std::string::npos);
  CHECK(message.find("multipart/alternative") != std::string::npos);
  CHECK(message.find("multipart/mixed") != std::string::npos);
  CHECK(message.find(herald::domain::base64_encode("Well done Zoë")) != std::string::npos);
  CHECK(message.find(herald::domain::base64_encode("<p>Well done Zoë</p>")) != std::string::npos);
  CHECK(message.find("filename=\"certificate.txt\"") != std::string::npos);
  CHECK(message.find(herald::domain::base64_encode("Certificate: Zoë")) != std::string::npos);
}

TEST_CASE("e-invoice to a Peppol access point, rejected, then a PDF letter by post, delivered", "[system][providers]") {
  herald::test::temp_dir dir;
  fake_provider peppol([](const herald::adapters::http_request&, std::size_t) {
    return http_answer(202, R"({"id":"ap-77"})");
  });
  fake_provider post([](const herald::adapters::http_request&, std::size_t) {
    return http_answer(201, R"({"id":"letter-9"})");
  });
  const std::string config = dir.sub("herald.json");
  std::ofstream(config) << R"({"channels": {"einvoice": "peppol", "post": "post"}, "providers": {
      "peppol": {"base_url": ")" << peppol.url() << R"(", "sender_id": "0088:1234567890128", "api_key": "ap-key",
                 "supplier_name": "Training Co"},
      "post": {"base_url": ")" << post.url() << R"(", "api_key": "post-key"}}})";
  engine_client e(dir.sub("data"), {"--time-skipping", "--config", config});
  REQUIRE(e.put("/v1/templates/bill", R"({"channel":"post","subject":"Invoice @@Number",
      "text":"Please find invoice @@Number for @@Total @@Currency."})").status == 200);
  REQUIRE(e.put("/v1/workflows/bill", R"({"title":"Bill","module":"Bill","trigger":{"on":"bill.saved"},
      "actions":[{"kind":"send","template":"bill","to":["@self"],"channels":["einvoice","post"],"category":"Finance"}]})").status == 200);
  REQUIRE(e.ingest(event_line("b1", "Bill/b-1",
      R"({"label":"Acme Ltd","fields":{"Number":"INV-2001","Total":"120.00","Currency":"GBP","VatRate":20},"contact":{"peppol_id":"0088:5790000435975","address":"1 High Street, Leeds, LS1 1AA"}})",
      "bill.saved") + "\n").status == 202);

  const auto documents = peppol.wait_for(1);
  REQUIRE(documents.size() == 1);
  CHECK(documents[0].path == "/v1/documents");
  CHECK(documents[0].header("content-type") == std::optional<std::string>("application/xml"));
  CHECK(documents[0].header("x-peppol-receiver") == std::optional<std::string>("0088:5790000435975"));
  CHECK(documents[0].body.find("<cbc:ID>INV-2001</cbc:ID>") != std::string::npos);
  CHECK(documents[0].body.find("<cbc:PayableAmount currencyID=\"GBP\">120.00</cbc:PayableAmount>") != std::string::npos);
  auto invoice = wait_for_status(e, "Bill/b-1", "sent");
  REQUIRE(invoice.at("channel") == "einvoice");
  CHECK(invoice.at("provider_message_id") == "ap-77");

  // The access point reports the buyer rejected it: the letter follows.
  auto r = e.call("POST", "/v1/webhooks/einvoice",
                  R"({"reference":")" + std::string(invoice.at("id").as_string()) + R"(","status":"rejected","reason":"unknown buyer reference"})");
  REQUIRE(r.status == 200);
  const auto letters = post.wait_for(1);
  REQUIRE(letters.size() == 1);
  const auto letter = json::parse(letters[0].body).as_object();
  CHECK(letters[0].path == "/v1/letters");
  CHECK(letter.at("recipient").at("address").as_array().size() == 3);
  const auto pdf = herald::domain::base64_decode(letter.at("pdf").as_string());
  REQUIRE(pdf);
  CHECK(pdf->rfind("%PDF-", 0) == 0);
  json::object sent_letter;
  herald::test::eventually(
      [&] {
        sent_letter = attempt_of(e, "Bill/b-1");
        return sent_letter.contains("channel") && sent_letter.at("channel") == "post" && sent_letter.at("status") == "sent";
      },
      std::chrono::seconds(10), herald::test::http_poll);
  REQUIRE(sent_letter.at("channel") == "post");
  CHECK(sent_letter.at("provider_message_id") == "letter-9");
  CHECK(letter.at("reference") == sent_letter.at("id"));
  r = e.call("POST", "/v1/webhooks/post", R"([{"reference":")" + std::string(sent_letter.at("id").as_string()) +
                                              R"(","status":"printed"},{"reference":")" +
                                              std::string(sent_letter.at("id").as_string()) + R"(","status":"delivered"}])");
  REQUIRE(r.status == 200);
  CHECK(r.body.at("accepted") == 2);
  CHECK(wait_for_status(e, "Bill/b-1", "delivered").at("channel") == "post");
  const auto rejected = e.get("/v1/log/" + std::string(invoice.at("id").as_string())).body;
  CHECK(rejected.at("status") == "rejected");
  CHECK(rejected.at("status_reason") == "unknown buyer reference");
  CHECK(e.call("POST", "/v1/webhooks/post", R"({"status":"delivered"})").body.at("error").at("field") == "[0].reference");
}

TEST_CASE("retention: raw provider events are purged after 62 days, what Herald read from them stays",
          "[system][providers][retention]") {
  herald::test::temp_dir dir;
  signing_key key;
  fake_provider sendgrid([](const herald::adapters::http_request&, std::size_t) {
    return http_answer(202, "", {{"X-Message-Id", "sg-r"}});
  });
  fake_provider twilio([](const herald::adapters::http_request&, std::size_t) { return http_answer(500, ""); });
  engine_client e(dir.sub("data"), {"--time-skipping", "--config",
                                    write_config(dir, sendgrid.url(), twilio.url(), key.public_der_b64())});
  define(e);
  REQUIRE(e.ingest(event_line("k1", "Person/k-1",
                              R"({"label":"Kai","fields":{"FirstName":"Kai"},"contact":{"email":"kai@example.com"}})",
                              "person.saved") + "\n").status == 202);
  auto a = wait_for_status(e, "Person/k-1", "sent");
  const std::string id(a.at("id").as_string());
  long status = 0;
  post_signed(e, key, sendgrid_event("delivered", "d-1", id), &status);
  REQUIRE(status == 200);
  REQUIRE(wait_for_status(e, "Person/k-1", "delivered").at("status") == "delivered");
  auto before = e.get("/v1/log/" + id).body.at("provider_events").at(0);
  CHECK(before.at("raw").at("sg_event_id") == "d-1");

  auto export_log = [&] {
    return herald::test::run_program({HERALD_BINARY, "export", "--data", dir.sub("data"), "--kind", "engine"}).out;
  };
  CHECK(export_log().find("\"sg_event_id\":\"d-1\"") != std::string::npos);
  REQUIRE(e.advance("P61D").status == 200);
  CHECK(e.get("/v1/log/" + id).body.at("provider_events").at(0).at("raw").is_object());  // not yet
  REQUIRE(e.advance("P2D").status == 200);
  auto after = e.get("/v1/log/" + id).body;
  const auto& purged = after.at("provider_events").at(0);
  CHECK(purged.at("raw").is_null());
  CHECK(purged.at("raw_purged") == true);
  CHECK(purged.at("event") == "delivered");  // what Herald read is kept
  CHECK(after.at("status") == "delivered");   // and the attempt, forever
  // The log record itself no longer holds the payload.
  const std::string exported = export_log();
  CHECK(exported.find("herald.provider_event.received") != std::string::npos);
  CHECK(exported.find("\"sg_event_id\":\"d-1\"") == std::string::npos);
}

TEST_CASE("a SendGrid outage of a whole minute of virtual time loses nothing and sends once", "[system][providers]") {
  herald::test::temp_dir dir;
  std::atomic<bool> down{true};
  std::atomic<int> accepted{0}, failures{0};
  fake_provider sendgrid([&](const herald::adapters::http_request&, std::size_t) {
    // Counted as it answers: a call arriving as the outage ends may go either way.
    if (down) {
      ++failures;
      return http_answer(503, "maintenance");
    }
    ++accepted;
    return http_answer(202, "", {{"X-Message-Id", "after-outage"}});
  });
  fake_provider twilio([](const herald::adapters::http_request&, std::size_t) { return http_answer(500, ""); });
  engine_client e(dir.sub("data"),
                  {"--time-skipping", "--config",
                   write_config(dir, sendgrid.url(), twilio.url(), "",
                                R"(, "retry_base_ms": 1000, "retry_max_ms": 20000, "breaker_failures": 3,
                                     "breaker_open_ms": 10000)")});
  define(e);
  REQUIRE(e.ingest(event_line("o1", "Person/out-1",
                              R"({"label":"Olu","fields":{"FirstName":"Olu"},"contact":{"email":"olu@example.com"}})",
                              "person.saved") + "\n").status == 202);
  REQUIRE(sendgrid.wait_for(1).size() == 1);
  // A minute of outage on the virtual clock, in 5-second steps.
  for (int i = 0; i < 12; ++i) {
    const std::size_t before = sendgrid.count();
    REQUIRE(e.advance("PT5S").status == 200);
    sendgrid.wait_for(before + 1, std::chrono::seconds(1));
  }
  CHECK(attempt_of(e, "Person/out-1").at("status") == "queued");  // still waiting, not lost
  down = false;
  json::object a;
  for (int i = 0; i < 100 && !(a.contains("status") && a.at("status") == "sent"); ++i) {
    REQUIRE(e.advance("PT5S").status == 200);
    sendgrid.wait_for(sendgrid.count() + 1, std::chrono::milliseconds(300));
    a = attempt_of(e, "Person/out-1");
  }
  REQUIRE(a.at("status") == "sent");
  CHECK(accepted == 1);
  const auto& timeline = a.at("timeline").as_array();
  const auto queued_at = herald::domain::parse_rfc3339_ms(timeline.front().at("at").as_string());
  const auto sent_at = herald::domain::parse_rfc3339_ms(timeline.back().at("at").as_string());
  CHECK(*sent_at - *queued_at >= 60000);  // a minute later, on the engine clock
  CHECK(failures >= 4);   // retried through the minute...
  CHECK(failures <= 12);  // ...with backoff and the breaker, not in a loop
  int retries = 0;
  for (const auto& t : timeline) retries += t.at("status") == "retrying";
  CHECK(retries == failures);  // every failed call is on the record
}

TEST_CASE("SIGTERM lets a provider call under way finish and be recorded, exit 0, the restart shows it sent",
          "[system][providers][shutdown]") {
  herald::test::temp_dir dir;
  std::atomic<int> answered{0};
  fake_provider sendgrid([&answered](const herald::adapters::http_request&, std::size_t) {
    // A slow provider: the answer comes well after the stop signal.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ++answered;
    return http_answer(202, "", {{"X-Message-Id", "slow-1"}});
  });
  fake_provider twilio([](const herald::adapters::http_request&, std::size_t) { return http_answer(500, ""); });
  const std::string config = write_config(dir, sendgrid.url(), twilio.url(), "");
  {
    engine_client e(dir.sub("data"), {"--config", config});  // the real clock
    define(e);
    REQUIRE(e.call("POST", "/v1/events",
                   event_line("s1", "Person/slow-1",
                              R"({"label":"Sol","fields":{"FirstName":"Sol"},"contact":{"email":"sol@example.com"}})",
                              "person.saved") + "\n",
                   "application/x-ndjson").status == 202);
    REQUIRE(sendgrid.wait_for(1).size() == 1);  // the call is under way
    e.process().kill_with(SIGTERM);
    CHECK(e.process().wait() == 0);
    CHECK(answered == 1);
  }
  engine_client again(dir.sub("data"), {"--config", config});
  auto a = attempt_of(again, "Person/slow-1");
  CHECK(a.at("status") == "sent");
  CHECK(a.at("provider_message_id") == "slow-1");
  CHECK(sendgrid.count() == 1);  // not sent twice
}
