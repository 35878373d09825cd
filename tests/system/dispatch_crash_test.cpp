// Crash consistency of dispatch (issue 6): `herald serve` sends email through
// a fake SendGrid and is SIGKILLed while calls are under way. After every
// restart: no acknowledged event loses its communication, no attempt is
// lost, and no attempt is sent twice. An attempt whose call had started at
// the kill is `unknown` (never called again); one that had not is handed to
// the provider again. HERALD_CRASH_ITERATIONS sets the number of kills
// (scripts/crash-dispatch.sh runs many).

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <signal.h>
#include <thread>

#include <boost/json.hpp>

#include "tests/support/engine_client.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/events.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/temp_dir.hpp"

namespace json = boost::json;
using herald::test::engine_client;
using herald::test::event_line;
using herald::test::fake_provider;
using herald::test::http_answer;

namespace {

std::string write_config(herald::test::temp_dir& dir, const std::string& sendgrid_url, int max_in_flight) {
  const std::string path = dir.sub("herald.json");
  std::ofstream(path) << R"({"channels": {"email": "sendgrid"},
    "providers": {"sendgrid": {"base_url": ")" << sendgrid_url << R"(", "api_key": "SG.test-key",
                   "from": {"email": "noreply@herald.test"}, "max_in_flight": )" << max_in_flight << "}}}";
  return path;
}

void define(engine_client& e) {
  REQUIRE(e.put("/v1/templates/hello", R"({"channel":"email","subject":"Hello @@FirstName",
      "text":"Hello @@FirstName"})").status == 200);
  REQUIRE(e.put("/v1/workflows/welcome", R"({"title":"Welcome","module":"Person","trigger":{"on":"person.saved"},
      "actions":[{"kind":"send","template":"hello","to":["@self"],"channels":["email"],"category":"News"}]})").status == 200);
}

std::string person(const std::string& id) {
  return event_line("e-" + id, "Person/" + id,
                    R"({"label":"P","fields":{"FirstName":"P"},"contact":{"email":")" + id + R"(@example.com"}})",
                    "person.saved");
}

// The attempt id SendGrid was given (custom_args), from a Mail Send body.
std::string attempt_in(const herald::adapters::http_request& r) {
  json::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec) return {};
  return std::string(v.at("personalizations").at(0).at("custom_args").at("herald_attempt").as_string());
}

// Every attempt on the log (all pages).
std::vector<json::object> all_attempts(engine_client& e) {
  std::vector<json::object> out;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    auto r = e.get("/v1/log?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE(r.status == 200);
    for (const auto& item : r.body.at("items").as_array()) out.push_back(item.as_object());
    const auto* next = r.body.as_object().if_contains("next_cursor");
    if (!next || !next->is_string() || next->as_string().empty()) break;
    cursor = std::string(next->as_string());
  }
  return out;
}

// Waits (bounded) until no attempt is queued any more.
void wait_until_settled(engine_client& e) {
  if (!herald::test::eventually([&] { return e.items("/v1/log?status=queued&limit=1").empty(); },
                                std::chrono::seconds(30), herald::test::http_poll)) {
    FAIL("attempts still queued after 30 s");
  }
}

}  // namespace

TEST_CASE("SIGKILL while sending: no attempt lost or sent twice, calls under way become unknown",
          "[system][crash][dispatch][kill-loop]") {
  const char* env = std::getenv("HERALD_CRASH_ITERATIONS");
  const int iterations = env ? std::max(1, std::atoi(env)) : 3;
  constexpr int per_iteration = 40;
  herald::test::temp_dir dir;
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::cout << "dispatch crash test seed " << seed << std::endl;
  // A provider that takes a few milliseconds per call, so calls are under
  // way when the kill comes.
  fake_provider sendgrid([](const herald::adapters::http_request& r, std::size_t index) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2 + index % 5));
    return http_answer(202, "", {{"X-Message-Id", "sg-" + std::to_string(index)}});
  });
  const std::string config = write_config(dir, sendgrid.url(), 4);
  int posted = 0;
  for (int it = 0; it < iterations; ++it) {
    engine_client e(dir.sub("data"), {"--config", config});
    if (it == 0) define(e);
    std::string body;
    for (int i = 0; i < per_iteration; ++i) body += person("p" + std::to_string(it) + "-" + std::to_string(i)) + "\n";
    REQUIRE(e.call("POST", "/v1/events", body, "application/x-ndjson").status == 202);
    posted += per_iteration;
    // Kill somewhere between the first and the last call of this batch.
    const std::size_t before = sendgrid.count();
    const std::size_t target = before + std::uniform_int_distribution<std::size_t>(1, per_iteration - 1)(rng);
    sendgrid.wait_for(target, std::chrono::seconds(20));
    e.process().kill_with(SIGKILL);
    REQUIRE(e.process().wait() == 128 + SIGKILL);
  }

  engine_client e(dir.sub("data"), {"--config", config});
  wait_until_settled(e);
  const auto attempts = all_attempts(e);
  std::map<std::string, int> calls;
  for (const auto& r : sendgrid.wait_for(0)) ++calls[attempt_in(r)];
  std::map<std::string, int> by_status;
  std::set<std::string> entities;
  for (const auto& a : attempts) {
    const std::string id(a.at("id").as_string());
    const std::string st(a.at("status").as_string());
    ++by_status[st];
    entities.insert(std::string(a.at("mapped_to").as_string()));
    INFO(id << " is " << st << ", called " << calls[id] << " times");
    CHECK((st == "sent" || st == "unknown"));
    if (st == "sent") CHECK(calls[id] == 1);
    if (st == "unknown") CHECK(calls[id] <= 1);
  }
  int doubles = 0;
  for (const auto& [id, n] : calls) doubles += n > 1;
  CHECK(doubles == 0);
  CHECK(static_cast<int>(entities.size()) == posted);  // every acknowledged event has its communication
  CHECK(static_cast<int>(attempts.size()) == posted);  // and exactly one attempt (nothing re-made)
  std::cout << "dispatch crash test: " << iterations << " kills, " << posted << " events, " << attempts.size()
            << " attempts: " << by_status["sent"] << " sent, " << by_status["unknown"] << " unknown; "
            << sendgrid.count() << " provider calls, " << doubles << " attempts called twice" << std::endl;
}

TEST_CASE("after SIGKILL a call under way is unknown, a waiting one is sent, an operator settles the unknown",
          "[system][crash][dispatch]") {
  herald::test::temp_dir dir;
  // The first call never gets an answer (it is under way at the kill);
  // every later one is accepted.
  fake_provider sendgrid([](const herald::adapters::http_request&, std::size_t index) {
    return index == 0 ? http_answer(0, "") : http_answer(202, "", {{"X-Message-Id", "sg-" + std::to_string(index)}});
  });
  const std::string config = write_config(dir, sendgrid.url(), 1);  // one call at a time: the second waits
  {
    engine_client e(dir.sub("data"), {"--config", config});
    define(e);
    REQUIRE(e.call("POST", "/v1/events", person("stuck") + "\n", "application/x-ndjson").status == 202);
    REQUIRE(sendgrid.wait_for(1).size() == 1);
    REQUIRE(e.call("POST", "/v1/events", person("waiting") + "\n", "application/x-ndjson").status == 202);
    // The second attempt is queued behind the stalled call.
    herald::test::eventually([&] { return !e.items("/v1/log?status=queued&mapped_to=Person/waiting").empty(); },
                             std::chrono::seconds(5), herald::test::http_poll);
    REQUIRE(e.items("/v1/log?status=queued&mapped_to=Person/waiting").size() == 1);
    e.process().kill_with(SIGKILL);
    e.process().wait();
  }
  CHECK(sendgrid.count() == 1);

  engine_client e(dir.sub("data"), {"--config", config});
  wait_until_settled(e);
  auto stuck = e.items("/v1/log?mapped_to=Person/stuck");
  auto waiting = e.items("/v1/log?mapped_to=Person/waiting");
  REQUIRE(stuck.size() == 1);
  REQUIRE(waiting.size() == 1);
  CHECK(stuck[0].at("status") == "unknown");  // never called a second time
  CHECK(waiting[0].at("status") == "sent");   // handed over again after the restart
  CHECK(sendgrid.count() == 2);
  CHECK(e.items("/v1/log?status=failed").size() == 1);  // unknown is in the Failed group: it needs someone

  const std::string id(stuck[0].at("id").as_string());
  auto detail = e.get("/v1/log/" + id).body.as_object();
  CHECK(std::string(detail.at("status_reason").as_string()).find("under way") != std::string::npos);

  // Bad decisions are refused, naming the field; a settled attempt can't be settled again.
  auto bad = e.call("POST", "/v1/log/" + id + "/reconcile", R"({"outcome":"maybe"})");
  CHECK(bad.status == 400);
  CHECK(bad.body.at("error").at("field") == "outcome");
  auto ok = e.call("POST", "/v1/log/" + id + "/reconcile", R"({"outcome":"not_sent","note":"not in SendGrid's activity feed"})");
  CHECK(ok.status == 201);
  detail = e.get("/v1/log/" + id).body.as_object();
  CHECK(detail.at("status") == "not_sent");
  CHECK(std::string(detail.at("status_reason").as_string()).find("activity feed") != std::string::npos);
  CHECK(e.call("POST", "/v1/log/" + id + "/reconcile", R"({"outcome":"sent"})").status == 400);
  CHECK(e.call("POST", "/v1/log/nope.1/reconcile", R"({"outcome":"sent"})").status == 404);

  // Now it may be resent: a new attempt, sent once.
  const std::string comm(detail.at("communication_id").as_string());
  REQUIRE(e.call("POST", "/v1/communications/" + comm + "/resend", "{}").status == 201);
  sendgrid.wait_for(3);
  herald::test::eventually([&] { return !e.items("/v1/log?status=sent&mapped_to=Person/stuck").empty(); },
                           std::chrono::seconds(5), herald::test::http_poll);
  CHECK(e.items("/v1/log?status=sent&mapped_to=Person/stuck").size() == 1);
}
