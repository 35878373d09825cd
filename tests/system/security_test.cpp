// Security (issue 6): secrets never reach the log, CORS only for the
// origins configured, request header limits. (Static-file escapes, body
// limits, constant-time comparisons and the page's escaping have their own
// tests: http_server_test, providers_test, the browser test.)

#include <catch2/catch.hpp>

#include <fstream>
#include <signal.h>
#include <sstream>

#include <boost/json.hpp>

#include "adapters/http/http_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/events.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/temp_dir.hpp"

using herald::test::fake_provider;
using herald::test::http_answer;

namespace {

// `herald serve` with its log (stderr) going to `log_path`.
struct logged_server {
  logged_server(const std::string& data, const std::string& config, const std::string& log_path)
      : process({"/bin/sh", "-c",
                 std::string("exec '") + HERALD_BINARY + "' serve --data '" + data +
                     "' --listen 127.0.0.1:0 --log-level debug --config '" + config + "' 2>'" + log_path + "'"}) {
    const std::string line = process.wait_for_line("listening on ");
    REQUIRE(!line.empty());
    url = line.substr(line.find("http://"));
  }
  herald::test::child_process process;
  std::string url;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("secrets never reach the log, whatever happens", "[system][security]") {
  herald::test::temp_dir dir;
  fake_provider sendgrid([](const herald::adapters::http_request&, std::size_t) {
    return http_answer(202, "", {{"X-Message-Id", "sg-1"}});
  });
  const std::vector<std::string> secrets = {"hk-admin-secret-4f1c", "hk-ingest-secret-9a2e", "SG.sendgrid-secret-77ab",
                                            "tw-token-secret-31cd", "hk-wrong-guess-0000"};
  const std::string config = dir.sub("herald.json");
  std::ofstream(config) << R"({"api_keys": [{"name": "ops", "key": ")" << secrets[0] << R"(", "role": "admin"},
                                            {"name": "feed", "key": ")" << secrets[1] << R"(", "role": "ingest"}],
    "channels": {"email": "sendgrid", "sms": "twilio"},
    "providers": {"sendgrid": {"base_url": ")" << sendgrid.url() << R"(", "api_key": ")" << secrets[2] << R"(",
                               "from": {"email": "noreply@herald.test"}},
                  "twilio": {"base_url": "http://127.0.0.1:9", "account_sid": "AC1", "auth_token": ")" << secrets[3]
                          << R"(", "from": "+15017122661"}}})";
  const std::string log_path = dir.sub("herald.log");
  {
    logged_server s(dir.sub("data"), config, log_path);
    herald::adapters::http_client c;
    auto as = [&](const std::string& key) { return std::vector<std::pair<std::string, std::string>>{
                                                {"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}}; };
    REQUIRE(c.request("PUT", s.url + "/v1/templates/hello", as(secrets[0]),
                      R"({"channel":"email","subject":"Hello","text":"Hello @@FirstName"})")->status == 200);
    REQUIRE(c.request("PUT", s.url + "/v1/workflows/welcome", as(secrets[0]),
                      R"({"title":"Welcome","module":"Person","trigger":{"on":"person.saved"},
                          "actions":[{"kind":"send","template":"hello","to":["@self"],"channels":["email"]}]})")->status == 200);
    auto ingest = c.request("POST", s.url + "/v1/events",
                            {{"Authorization", "Bearer " + secrets[1]}, {"Content-Type", "application/x-ndjson"}},
                            herald::test::event_line("e1", "Person/p-1",
                                                     R"({"label":"P","fields":{"FirstName":"P"},"contact":{"email":"p@example.com"}})",
                                                     "person.saved") + "\n");
    REQUIRE(ingest->status == 202);
    CHECK(c.request("GET", s.url + "/v1/log", as(secrets[4]))->status == 401);  // a wrong key
    CHECK(c.request("PUT", s.url + "/v1/workflows/x", as(secrets[1]), "{}")->status == 403);  // a key too small
    REQUIRE(sendgrid.wait_for(1).size() == 1);
    CHECK(sendgrid.wait_for(1)[0].header("authorization") == "Bearer " + secrets[2]);  // it was used
    s.process.kill_with(SIGTERM);
    CHECK(s.process.wait() == 0);
  }
  const std::string log = read_all(log_path);
  CHECK(log.size() > 200);  // it did log (debug): requests, the start, the stop
  for (const auto& secret : secrets) {
    INFO(secret);
    CHECK(log.find(secret) == std::string::npos);
  }
}

TEST_CASE("CORS only for the origins configured, oversized headers are refused", "[system][security]") {
  herald::test::temp_dir dir;
  const std::string config = dir.sub("herald.json");
  std::ofstream(config) << R"({"http": {"cors_origins": ["https://ops.example.com"]}})";
  logged_server s(dir.sub("data"), config, dir.sub("herald.log"));
  herald::adapters::http_client c;
  auto allowed = c.request("GET", s.url + "/v1/log", {{"Origin", "https://ops.example.com"}});
  REQUIRE(allowed);
  CHECK(allowed->status == 200);
  CHECK(allowed->header("access-control-allow-origin") == "https://ops.example.com");
  CHECK(allowed->header("vary") == "Origin");
  auto other = c.request("GET", s.url + "/v1/log", {{"Origin", "https://evil.example"}});
  CHECK(other->header("access-control-allow-origin").empty());
  auto preflight = c.request("OPTIONS", s.url + "/v1/events", {{"Origin", "https://ops.example.com"},
                                                               {"Access-Control-Request-Method", "POST"}});
  CHECK(preflight->status == 204);
  CHECK(preflight->header("access-control-allow-methods").find("POST") != std::string::npos);
  auto foreign_preflight = c.request("OPTIONS", s.url + "/v1/events", {{"Origin", "https://evil.example"}});
  CHECK(foreign_preflight->header("access-control-allow-origin").empty());
  CHECK(foreign_preflight->status >= 400);

  // Headers beyond the limit (8 KiB by default) are refused, not buffered.
  auto huge = c.request("GET", s.url + "/v1/log", {{"X-Padding", std::string(64 * 1024, 'a')}});
  REQUIRE(huge);
  CHECK(huge->status == 431);
}

TEST_CASE("without cors_origins no response carries CORS headers, a bad origin is refused at start",
          "[system][security]") {
  herald::test::temp_dir dir;
  const std::string config = dir.sub("herald.json");
  std::ofstream(config) << "{}";
  logged_server s(dir.sub("data"), config, dir.sub("herald.log"));
  herald::adapters::http_client c;
  auto r = c.request("GET", s.url + "/v1/log", {{"Origin", "https://ops.example.com"}});
  CHECK(r->status == 200);
  CHECK(r->header("access-control-allow-origin").empty());

  const std::string bad = dir.sub("bad.json");
  std::ofstream(bad) << R"({"http": {"cors_origins": ["*"]}})";
  auto refused = herald::test::run_program({HERALD_BINARY, "serve", "--data", dir.sub("data2"), "--config", bad});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("http.cors_origins[0]") != std::string::npos);
}
