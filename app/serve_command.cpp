#include "app/serve_command.hpp"

#include <csignal>
#include <iostream>

#include <caf/all.hpp>

#include "actors/ingest_router_actor.hpp"
#include "adapters/cli/json_log.hpp"
#include "adapters/http/api.hpp"
#include "adapters/http/http_server.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::app {
namespace {

// Runs `fn` when the scope ends: each component's stop is registered on the
// line after its start, so shutdown runs in reverse order.
template <class Fn>
struct deferred {
  Fn fn;
  ~deferred() { fn(); }
};
template <class Fn>
deferred(Fn) -> deferred<Fn>;

constexpr auto drain_timeout = std::chrono::seconds(10);

}  // namespace

int run_serve(const domain::herald_config& config) {
  using adapters::log;
  using adapters::log_level;
  if (auto st = domain::check_startup(config); !st) {
    std::cerr << "herald serve: refusing to start: " << st.to_string() << "\n";
    return 2;
  }
  auto listen = domain::parse_listen(config.listen);

  // Block the stop signals before any thread starts, so that every thread
  // inherits the mask and only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  storage::store_options store_options;
  store_options.path = config.data_dir;
  store_options.sync = config.sync;
  store_options.sync_interval_ms = config.sync_interval_ms;
  auto opened = storage::rocksdb_event_store::open(store_options);
  if (!opened) {
    std::cerr << "herald serve: " << opened.error().message() << "\n";
    return 1;
  }
  std::unique_ptr<storage::rocksdb_event_store> store = std::move(*opened);
  deferred stop_store{[&] { store->stop(); }};

  caf::actor_system_config actor_config;
  actor_config.set("scheduler.max-threads", 2);
  caf::actor_system actors{actor_config};

  actors::ingest_router_config router_config;
  router_config.store = store.get();
  router_config.passivate_after_ms = config.passivate_after_ms;
  auto router = actors::spawn_ingest_router(actors, router_config);
  deferred stop_router{[&] { caf::anon_send_exit(router, caf::exit_reason::user_shutdown); }};

  std::atomic<bool> ready{false};
  adapters::api_options api_options;
  api_options.store = store.get();
  api_options.api_keys = config.api_keys;
  api_options.ready = [&ready] { return ready.load(); };
  api_options.on_accepted = [router](const storage::event_batch& batch,
                                     const storage::append_outcome& outcome) {
    caf::anon_send(router, actors::route_atom_v, batch, outcome.seqs);
  };
  auto api = std::make_shared<adapters::api>(std::move(api_options));

  adapters::http_server_options http_options;
  http_options.host = listen->first;
  http_options.port = listen->second;
  http_options.max_body_bytes = config.http.max_body_bytes;
  http_options.max_in_flight = config.http.max_in_flight;
  http_options.threads = config.http.threads;
  auto server = adapters::http_server::start(
      http_options, [api](adapters::http_request req, adapters::http_responder respond) {
        api->handle(std::move(req), std::move(respond));
      });
  if (!server) {
    std::cerr << "herald serve: " << server.error().message() << "\n";
    return 1;
  }
  deferred stop_server{[&] { (*server)->stop(drain_timeout); }};
  ready = true;

  const std::string url = "http://" + listen->first + ":" + std::to_string((*server)->port());
  std::cout << "herald listening on " << url << std::endl;
  log(log_level::info, "listening",
      {{"url", url}, {"data_dir", config.data_dir},
       {"api_keys", config.api_keys.empty() ? "none (loopback only)" : "required"}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  ready = false;
  log(log_level::info, "stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  return 0;
}

}  // namespace herald::app
