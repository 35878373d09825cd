// Load and backpressure (issue 6): ingest runs above what the provider
// accepts (SendGrid limited to `rate_per_s`) for HERALD_SOAK_SECONDS
// (default 10; scripts/soak.sh runs minutes). Herald must answer 503 with
// Retry-After once its backlog passes http.max_backlog instead of growing,
// drop nothing it acknowledged, and drain the backlog once the load stops.
// Prints peak RSS (VmHWM) and the drain time.

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "adapters/http/http_client.hpp"
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

// A field of /proc/PID/status in kB ("VmHWM", "VmRSS").
long proc_status_kb(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

}  // namespace

TEST_CASE("ingest above what providers take: 503 with Retry-After, bounded memory, nothing dropped, drains",
          "[system][soak]") {
  const char* env = std::getenv("HERALD_SOAK_SECONDS");
  const int seconds = env ? std::max(2, std::atoi(env)) : 10;
  constexpr int rate_per_s = 1000, max_backlog = 3000, clients = 3, batch = 100;
  herald::test::temp_dir dir;
  std::mutex mu;
  std::map<std::string, int> calls;  // attempt id -> calls
  fake_provider sendgrid([&](const herald::adapters::http_request& r, std::size_t index) {
    json::error_code ec;
    auto v = json::parse(r.body, ec);
    if (!ec) {
      std::lock_guard<std::mutex> lock(mu);
      ++calls[std::string(v.at("personalizations").at(0).at("custom_args").at("herald_attempt").as_string())];
    }
    return http_answer(202, "", {{"X-Message-Id", "sg-" + std::to_string(index)}});
  });
  const std::string config = dir.sub("herald.json");
  std::ofstream(config) << R"({"channels": {"email": "sendgrid"}, "http": {"max_backlog": )" << max_backlog << R"(},
    "providers": {"sendgrid": {"base_url": ")" << sendgrid.url() << R"(", "api_key": "SG.k",
      "from": {"email": "noreply@herald.test"}, "rate_per_s": )" << rate_per_s << "}}}";
  engine_client e(dir.sub("data"), {"--config", config});
  REQUIRE(e.put("/v1/templates/hello", R"({"channel":"email","subject":"Hello","text":"Hello @@FirstName"})").status == 200);
  REQUIRE(e.put("/v1/workflows/welcome", R"({"title":"Welcome","module":"Person","trigger":{"on":"person.saved"},
      "actions":[{"kind":"send","template":"hello","to":["@self"],"channels":["email"]}]})").status == 200);

  std::atomic<long> accepted{0}, refused{0}, refused_without_retry_after{0};
  std::atomic<long> peak_rss_seen_kb{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      herald::adapters::http_client client;
      for (int b = 0; !stop; ++b) {
        std::string body;
        for (int i = 0; i < batch; ++i) {
          const std::string id = std::to_string(c) + "-" + std::to_string(b) + "-" + std::to_string(i);
          body += event_line("e-" + id, "Person/" + id,
                             R"({"label":"P","fields":{"FirstName":"P"},"contact":{"email":"p)" + id + R"(@example.com"}})",
                             "person.saved") + "\n";
        }
        for (;;) {  // the same batch until it is taken, as a well-behaved sender does
          auto r = client.request("POST", e.url() + "/v1/events", {{"Content-Type", "application/x-ndjson"}}, body);
          if (r && r->status == 202) {
            accepted += batch;
            break;
          }
          REQUIRE(r);
          REQUIRE(r->status == 503);
          ++refused;
          const std::string after = r->header("retry-after");
          if (after.empty()) ++refused_without_retry_after;
          if (stop) return;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a sender's pause (shorter than asked)
        }
      }
    });
  }
  const int pid = e.process().pid();
  const auto start = std::chrono::steady_clock::now();
  std::vector<long> rss_by_quarter;  // MiB at the end of each quarter of the load
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(seconds)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const long rss = proc_status_kb(pid, "VmRSS");
    peak_rss_seen_kb = std::max<long>(peak_rss_seen_kb, rss);
    const auto quarter = static_cast<std::size_t>(4 * (std::chrono::steady_clock::now() - start) /
                                                  std::chrono::seconds(seconds));
    if (quarter > rss_by_quarter.size() && rss_by_quarter.size() < 4) rss_by_quarter.push_back(rss / 1024);
  }
  stop = true;
  for (auto& t : threads) t.join();
  const auto load_end = std::chrono::steady_clock::now();
  // Drain: every acknowledged event reaches the provider exactly once.
  herald::test::eventually(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return static_cast<long>(calls.size()) >= accepted;
      },
      std::chrono::seconds(60));
  const double drain_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_end).count();
  const long hwm_kb = proc_status_kb(pid, "VmHWM");
  int doubles = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [id, n] : calls) doubles += n > 1;
    CHECK(static_cast<long>(calls.size()) == accepted.load());
  }
  CHECK(doubles == 0);
  CHECK(refused > 0);  // the load really was above what the provider takes
  CHECK(refused_without_retry_after == 0);
  CHECK(accepted <= static_cast<long>(rate_per_s) * (seconds + 1) + max_backlog + clients * batch * 2);
  CHECK(hwm_kb > 0);
  CHECK(hwm_kb < 1024 * 1024);  // bounded: well under 1 GiB whatever the duration
  std::ostringstream report;
  report << "soak: " << seconds << " s at 3 senders against " << rate_per_s << " calls/s; accepted " << accepted
         << " events, refused " << refused << " requests (503), peak RSS " << hwm_kb / 1024 << " MiB, drain "
         << drain_s << " s, " << doubles << " doubles; RSS by quarter of the load (MiB):";
  for (long q : rss_by_quarter) report << " " << q;
  std::cout << report.str() << std::endl;
}
