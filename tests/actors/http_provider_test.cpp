// The HTTP provider actor's call policy against a fake provider on loopback:
// the circuit breaker opens and closes, a stalled call times out and is
// retried, calls keep to the rate limit, a reset connection and a body that
// never ends are retried, and a first call waits for its start to be
// recorded (crash consistency).

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>

#include "actors/actor_system_setup.hpp"
#include "actors/http_provider_actor.hpp"
#include "tests/support/fake_provider.hpp"

using namespace herald;
using herald::test::fake_provider;
using herald::test::http_answer;

namespace {

// Collects what the provider reports, and lets a test wait for it.
struct reports {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<std::string, domain::status_change>> list;  // attempt id, status

  void add(const std::string& attempt, const actors::dispatch_outcome& out) {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& s : out.statuses) list.emplace_back(attempt, s);
    changed.notify_all();
  }
  std::size_t count(const std::string& status) {
    std::lock_guard<std::mutex> lock(mutex);
    return static_cast<std::size_t>(std::count_if(list.begin(), list.end(), [&](const auto& r) { return r.second.status == status; }));
  }
  bool wait_for(const std::string& status, std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(20), [&] {
      return static_cast<std::size_t>(std::count_if(list.begin(), list.end(),
                                                    [&](const auto& r) { return r.second.status == status; })) >= n;
    });
  }
};

struct provider_fixture {
  explicit provider_fixture(fake_provider& fake, actors::http_provider_config overrides = {},
                            const std::string& base_url = {}) {
    actors::configure_actor_system(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
    actors::http_provider_config c = std::move(overrides);
    c.name = "fake";
    const std::string url = (base_url.empty() ? fake.url() : base_url) + "/send";
    c.build = [url](const actors::dispatch_request& req) -> result<adapters::providers::outbound_request> {
      adapters::providers::outbound_request r;
      r.url = url;
      r.body = req.attempt.id;
      return r;
    };
    c.read_success = [](const adapters::providers::outbound_response& r) {
      actors::call_verdict v;
      v.what = actors::call_verdict::kind::accepted;
      v.provider_message_id = r.body;
      return v;
    };
    c.client = std::make_shared<adapters::providers::curl_multi_client>();
    c.clock_ms = [] { return std::int64_t{0}; };
    c.report = [this](const std::string&, const std::string& attempt, const actors::dispatch_outcome& out) {
      seen.add(attempt, out);
    };
    provider = actors::spawn_http_provider(*system, std::move(c));
  }
  ~provider_fixture() {
    caf::anon_send_exit(provider, caf::exit_reason::user_shutdown);
    system.reset();
  }
  void dispatch(const std::string& id) {
    domain::attempt_view a;
    a.id = id;
    caf::anon_send(provider, actors::dispatch_atom_v, std::make_shared<const actors::dispatch_request>(actors::dispatch_request{a, "{}", "Thing/t-1"}));
  }
  actors::provider_health health() {
    caf::scoped_actor self{*system};
    actors::provider_health h;
    self->request(provider, std::chrono::seconds(5), actors::health_atom_v)
        .receive([&](const actors::provider_health& got) { h = got; }, [](caf::error&) {});
    return h;
  }

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  actors::provider_actor provider;
  reports seen;
};

}  // namespace

TEST_CASE("http provider: the breaker opens after failures in a row, a probe closes it", "[actors][providers]") {
  std::atomic<bool> down{true};
  fake_provider fake([&down](const adapters::http_request& req, std::size_t) {
    return down ? http_answer(503, "down") : http_answer(202, "id-" + req.body);
  });
  actors::http_provider_config c;
  c.breaker_failures = 3;
  c.breaker_open_ms = 50;
  c.backoff_base_ms = 1;
  c.backoff_max_ms = 2;
  provider_fixture p(fake, c);
  CHECK(p.health().breaker == "closed");
  p.dispatch("a-1");
  REQUIRE(p.seen.wait_for("retrying", 3));
  const auto open = p.health();
  CHECK(open.breaker != "closed");
  CHECK(open.failures_in_a_row >= 3);
  down = false;
  REQUIRE(p.seen.wait_for("sent", 1));
  const auto closed = p.health();
  CHECK(closed.breaker == "closed");
  CHECK(closed.failures_in_a_row == 0);
  CHECK(p.seen.count("sent") == 1);  // sent once, however many retries
}

TEST_CASE("http provider: a stalled call times out and is retried, nothing is reported twice", "[actors][providers]") {
  fake_provider fake([](const adapters::http_request& req, std::size_t i) {
    return i == 0 ? http_answer(0, "") : http_answer(202, "id-" + req.body);  // the first call stalls
  });
  actors::http_provider_config c;
  c.timeout_ms = 200;
  c.backoff_base_ms = 1;
  c.backoff_max_ms = 2;
  provider_fixture p(fake, c);
  p.dispatch("a-2");
  REQUIRE(p.seen.wait_for("sent", 1));
  CHECK(p.seen.count("retrying") == 1);
  {
    std::lock_guard<std::mutex> lock(p.seen.mutex);
    CHECK(p.seen.list.front().second.reason.find("unreachable") != std::string::npos);  // the timeout, named
  }
  CHECK(fake.count() == 2);
}

TEST_CASE("http provider: calls keep to the rate limit", "[actors][providers]") {
  fake_provider fake([](const adapters::http_request& req, std::size_t) { return http_answer(202, "id-" + req.body); });
  actors::http_provider_config c;
  c.rate_per_s = 20;
  provider_fixture p(fake, c);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) p.dispatch("r-" + std::to_string(i));
  REQUIRE(p.seen.wait_for("sent", 10));
  // Ten calls at 20 a second from an empty bucket take at least 0.45 s;
  // a slower machine only takes longer.
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(450));
}

namespace {

// A provider that misbehaves below HTTP: a plain TCP server on loopback whose
// n-th connection gets `script(n)`: "reset" (read the request, close without
// a word), "slow" (headers promising a body, a few bytes, then silence), or
// "ok" (202 with the attempt id as body).
class raw_provider {
 public:
  explicit raw_provider(std::function<std::string(int)> script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    REQUIRE(::listen(fd_, 16) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~raw_provider() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (int c : held_) ::close(c);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }

 private:
  void serve() {
    while (!stopping_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      const int n = connections_++;
      std::string request;
      char buf[4096];
      // Read up to the end of the request (headers and the short body).
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::recv(c, buf, sizeof buf, 0);
        if (got <= 0) break;
        request.append(buf, static_cast<std::size_t>(got));
      }
      const std::string what = script_(n);
      if (what == "reset") {
        ::close(c);
      } else if (what == "slow") {
        const std::string start = "HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\nid-";
        ::send(c, start.data(), start.size(), MSG_NOSIGNAL);
        held_.push_back(c);  // the rest of the body never comes
      } else {
        const std::string ok = "HTTP/1.1 202 Accepted\r\nContent-Length: 5\r\nConnection: close\r\n\r\nid-ok";
        ::send(c, ok.data(), ok.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    }
  }
  std::function<std::string(int)> script_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::vector<int> held_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("http provider: a reset connection and a body that never ends are retried, one send recorded",
          "[actors][providers][faults]") {
  raw_provider raw([](int n) { return n == 0 ? "reset" : n == 1 ? "slow" : "ok"; });
  // The fixture wants a fake_provider for its URL; the calls go to `raw`.
  fake_provider unused([](const adapters::http_request&, std::size_t) { return http_answer(500, ""); });
  actors::http_provider_config c;
  c.timeout_ms = 300;
  c.backoff_base_ms = 1;
  c.backoff_max_ms = 2;
  provider_fixture p(unused, c, raw.url());
  p.dispatch("f-1");
  REQUIRE(p.seen.wait_for("sent", 1));
  CHECK(p.seen.count("retrying") == 2);  // the reset, then the slow body's timeout
  CHECK(p.seen.count("sent") == 1);
  CHECK(raw.connections() == 3);
  std::lock_guard<std::mutex> lock(p.seen.mutex);
  for (const auto& [attempt, s] : p.seen.list) {
    CHECK(attempt == "f-1");
    if (s.status == "retrying") CHECK(s.reason.find("unreachable") != std::string::npos);
  }
}

TEST_CASE("http provider: a first call starts only once its start is recorded, a failed record calls nothing",
          "[actors][providers][faults]") {
  fake_provider fake([](const adapters::http_request& req, std::size_t) { return http_answer(202, "id-" + req.body); });
  std::mutex mu;
  std::vector<std::string> recorded;
  std::atomic<int> records{0};
  std::atomic<std::size_t> calls_at_first_record{99};
  actors::http_provider_config c;
  c.mark_started = [&](std::vector<std::string> ids, std::function<void(bool)> done) {
    const int n = records++;
    if (n == 0) calls_at_first_record = fake.count();
    {
      std::lock_guard<std::mutex> lock(mu);
      if (n > 0) recorded.insert(recorded.end(), ids.begin(), ids.end());
    }
    done(n > 0);  // the store refuses the first record (a failing disk), then takes them
  };
  provider_fixture p(fake, c);
  p.dispatch("m-1");
  p.dispatch("m-2");
  REQUIRE(p.seen.wait_for("sent", 2));
  CHECK(calls_at_first_record == 0);
  CHECK(records >= 2);
  CHECK(fake.count() == 2);  // each called once, and only after its start was recorded
  std::lock_guard<std::mutex> lock(mu);
  std::sort(recorded.begin(), recorded.end());
  CHECK(recorded == std::vector<std::string>{"m-1", "m-2"});
}
