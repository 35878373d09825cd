// Measures dispatch through a real provider path, printed as one JSON line:
// the SendGrid provider actor (Mail Send body, libcurl multi, keep-alive,
// retry policy) against a SendGrid-speaking server on loopback (Herald's own
// HTTP server answering 202 with X-Message-Id, in this process). Reports
// provider calls per second, attempts per second (each attempt one call
// here), and CPU per attempt for the whole process — client and server
// share the machine's cores, so this is an upper bound for the client.
// Usage: dispatch_bench [--attempts N] [--in-flight N]

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>

#include <boost/json.hpp>
#include <caf/all.hpp>

#include "actors/actor_system_setup.hpp"
#include "adapters/http/http_server.hpp"
#include "app/provider_setup.hpp"
#include "domain/config.hpp"
#include "storage/rocksdb_event_store.hpp"

using namespace herald;
namespace json = boost::json;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t attempts = 100000, in_flight = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--attempts") attempts = std::stoul(argv[i + 1]);
    else if (flag == "--in-flight") in_flight = std::stoul(argv[i + 1]);
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  std::atomic<std::size_t> served{0};
  adapters::http_server_options so;
  so.port = 0;
  so.max_in_flight = 4096;
  auto server = adapters::http_server::start(so, [&served](adapters::http_request, adapters::http_responder respond) {
    adapters::http_response r;
    r.status = 202;
    r.headers.emplace_back("X-Message-Id", "m-" + std::to_string(++served));
    respond(std::move(r));
  });
  if (!server) {
    std::cerr << server.error().message() << "\n";
    return 1;
  }
  const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port());
  auto config = domain::parse_config(R"({"channels": {"email": "sendgrid"}, "providers": {"sendgrid": {
      "base_url": ")" + url + R"(", "api_key": "SG.bench", "from": {"email": "noreply@herald.test"},
      "max_in_flight": )" + std::to_string(in_flight) + "}}}");
  if (!config) {
    std::cerr << config.error().to_string() << "\n";
    return 1;
  }
  caf::actor_system_config cfg;
  actors::configure_actor_system(cfg);
  caf::actor_system system{cfg};
  std::mutex mutex;
  std::condition_variable all_done;
  std::size_t sent = 0, failed = 0;
  auto report = [&](const std::string&, const std::string&, const actors::dispatch_outcome& out) {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& s : out.statuses) {
      if (s.status == "sent") ++sent;
      else if (s.status != "retrying") ++failed;
    }
    if (sent + failed == attempts) all_done.notify_all();
  };
  // Every first call is recorded durably before it starts (crash
  // consistency), as in `herald serve`: part of what is measured.
  char store_dir[] = "/tmp/herald-dispatch-bench-XXXXXX";
  if (!mkdtemp(store_dir)) {
    std::cerr << "cannot make a temporary folder\n";
    return 1;
  }
  storage::store_options store_options;
  store_options.path = std::string(store_dir) + "/data";
  store_options.clock_ms = [] { return std::int64_t{0}; };
  auto store = storage::rocksdb_event_store::open(store_options);
  if (!store) {
    std::cerr << store.error().message() << "\n";
    return 1;
  }
  auto providers = app::spawn_providers(system, *config, [] { return std::int64_t{0}; }, report, false,
                                        app::mark_in_store(**store));
  if (!providers) {
    std::cerr << providers.error().to_string() << "\n";
    return 1;
  }
  auto provider = providers->by_channel.at("email").handle;

  domain::attempt_view a;
  a.channel = "email";
  a.recipient = {"User/u-1", "Dana Smith", "dana@example.com", "", {}};
  a.subject = "Your booking is confirmed";
  a.category = "Booking";
  const std::string content =
      R"({"subject":"Your booking is confirmed","text":"Dear Dana, see you on 1 December.","html":"<p>Dear Dana, see you on 1 December.</p>"})";
  const double cpu_before = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < attempts; ++i) {
    a.id = "c-bench." + std::to_string(i + 1);
    caf::anon_send(provider, actors::dispatch_atom_v, std::make_shared<const actors::dispatch_request>(actors::dispatch_request{a, content, "User/u-1"}));
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    all_done.wait_for(lock, std::chrono::minutes(5), [&] { return sent + failed == attempts; });
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_before;
  json::object out{{"bench", "dispatch"},
                   {"provider", "sendgrid (loopback)"},
                   {"attempts", attempts},
                   {"sent", sent},
                   {"failed", failed},
                   {"provider_calls", served.load()},
                   {"max_in_flight", in_flight},
                   {"call_start_records", "durable (fsync per group commit)"},
                   {"provider_calls_per_s", static_cast<std::int64_t>(served.load() / secs)},
                   {"attempts_per_s", static_cast<std::int64_t>(sent / secs)},
                   {"cpu_us_per_attempt_client_and_server", static_cast<std::int64_t>(cpu / attempts * 1e6)}};
  std::cout << json::serialize(out) << std::endl;
  for (auto& [channel, p] : providers->by_channel) caf::anon_send_exit(p.handle, caf::exit_reason::user_shutdown);
  (*server)->stop(std::chrono::seconds(1));
  store->reset();
  std::error_code ec;
  std::filesystem::remove_all(store_dir, ec);
  return sent == attempts ? 0 : 1;
}
