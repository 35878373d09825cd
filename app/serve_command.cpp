#include "app/serve_command.hpp"

#include <csignal>
#include <iostream>
#include <thread>

#include <caf/all.hpp>

#include "actors/actor_system_setup.hpp"

#include <date/tz.h>

#include "actors/engine_context.hpp"
#include "actors/ingest_router_actor.hpp"
#include "adapters/cli/json_log.hpp"
#include "adapters/http/api.hpp"
#include "adapters/http/http_server.hpp"
#include "app/directory_loader.hpp"
#include "app/dispatch_recovery.hpp"
#include "app/provider_setup.hpp"
#include "app/retention_task.hpp"
#include "domain/json_fields.hpp"
#include "domain/metrics_text.hpp"
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
constexpr auto advance_timeout = std::chrono::minutes(10);
constexpr auto operation_timeout = std::chrono::seconds(60);

// Routes a durable batch to its entities, counted in the backlog until each
// event is handled (the router takes them off: backlog_gauge.hpp).
void route_batch(const actors::ingest_router_actor& router, actors::backlog_gauge& backlog,
                 const storage::event_batch& batch, std::vector<std::uint64_t> seqs) {
  backlog.events.fetch_add(static_cast<std::int64_t>(batch->size()), std::memory_order_relaxed);
  caf::anon_send(router, actors::route_atom_v, batch, std::move(seqs));
}

// Routes every ingested event after the engine checkpoint again; handling is
// idempotent, so events that were handled after the last checkpoint change
// nothing. Returns how many were routed.
result<std::uint64_t> reroute_unhandled(const storage::rocksdb_event_store& store,
                                        const actors::ingest_router_actor& router, actors::backlog_gauge& backlog) {
  auto from = store.engine_checkpoint();
  if (!from) return from.error();
  storage::scan_filter filter;
  filter.from_seq = *from + 1;
  filter.kind = domain::event_kind::cloud_event;
  std::uint64_t routed = 0;
  std::vector<domain::cloud_event> events;
  std::vector<std::uint64_t> seqs;
  auto flush = [&] {
    if (events.empty()) return;
    route_batch(router, backlog,
                storage::event_batch(std::make_shared<const std::vector<domain::cloud_event>>(std::move(events))),
                std::move(seqs));
    events.clear();
    seqs.clear();
  };
  auto st = store.scan(filter, [&](const storage::stored_event& e) {
    events.push_back(e.event);
    seqs.push_back(e.seq);
    ++routed;
    if (events.size() == 1000) flush();
    return true;
  });
  if (!st) return st;
  flush();
  return routed;
}

// What the API may ask of the engine, wired to the registry and scheduler.
adapters::engine_hooks engine_hooks(actors::definition_registry& definitions, actors::engine_clock& clock,
                                    caf::actor_system& system, actors::scheduler_actor scheduler,
                                    bool time_skipping) {
  adapters::engine_hooks hooks;
  hooks.template_exists = [&definitions](const std::string& id) {
    return definitions.current()->templates.count(id) > 0;
  };
  hooks.template_used_by = [&definitions](const std::string& id) {
    for (const auto& [wid, w] : definitions.current()->workflows) {
      for (const auto& a : w.workflow.actions) {
        if (a.template_id == id) return wid;
      }
    }
    return std::string();
  };
  hooks.definition_put = [&definitions](const std::string& kind, const std::string& id, int version,
                                        const std::string& body) { return definitions.put(kind, id, version, body); };
  hooks.definition_deleted = [&definitions](const std::string& kind, const std::string& id) {
    definitions.remove(kind, id);
  };
  hooks.now_ms = [&clock] { return clock.now_ms(); };
  if (time_skipping) {
    hooks.advance_time = [&system, scheduler](std::int64_t to, std::function<void(result<std::int64_t>)> done) {
      // A one-shot actor carries the request: HTTP threads never block.
      system.spawn([scheduler, to, done](caf::event_based_actor* self) {
        self->request(scheduler, advance_timeout, actors::advance_atom_v, to)
            .then([done](std::int64_t now) { done(now); },
                  [done, self](caf::error& err) {
                    done(status{errc::unavailable, "advancing time failed: " + self->system().render(err)});
                  });
      });
    };
  }
  return hooks;
}

}  // namespace

// Waits (at most `limit`) until no provider has a call under way or waiting,
// then until every report has been recorded by its entity.
void drain_providers(caf::actor_system& system,
                     const std::map<std::string, actors::engine_context::provider_entry>& providers,
                     const actors::ingest_router_actor& router, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  caf::scoped_actor self{system};
  for (bool busy = true; busy && std::chrono::steady_clock::now() < deadline;) {
    busy = false;
    for (const auto& [channel, p] : providers) {
      self->request(p.handle, std::chrono::seconds(1), actors::health_atom_v)
          .receive([&busy](const actors::provider_health& h) { busy = busy || h.in_flight > 0 || h.waiting > 0; },
                   [](caf::error&) {});
    }
    if (busy) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // shutdown only: polling is fine
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  self->request(router, std::max(left, std::chrono::milliseconds(100)), actors::settle_atom_v)
      .receive([](bool) {}, [](caf::error&) {});
}

// Returns the organisation's calendar, or the status naming the bad setting.
result<domain::business_calendar> make_calendar(const domain::organisation_config& org) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(org.time_zone);
  } catch (const std::exception&) {
    zone = nullptr;  // reported below as an unknown zone
  }
  return domain::business_calendar::make(org, zone);
}

double sandbox_failure_ratio(const domain::herald_config& config) {
  const auto* sandbox = config.providers.if_contains("sandbox");
  const auto* ratio = sandbox && sandbox->is_object() ? sandbox->get_object().if_contains("failure_ratio") : nullptr;
  return ratio ? ratio->to_number<double>() : 0.0;
}

int run_serve(const domain::herald_config& config, const serve_options& options) {
  using adapters::log;
  using adapters::log_level;
  if (auto st = domain::check_startup(config); !st) {
    std::cerr << "herald serve: refusing to start: " << st.to_string() << "\n";
    return 2;
  }
  auto listen = domain::parse_listen(config.listen);
  auto calendar = make_calendar(config.organisation);
  if (!calendar) {
    std::cerr << "herald serve: refusing to start: " << calendar.error().to_string() << "\n";
    return 2;
  }
  actors::engine_clock clock = options.time_skipping ? actors::engine_clock::virtual_at(
                                                           actors::engine_clock::system().now_ms())
                                                     : actors::engine_clock::system();

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
  store_options.clock_ms = [&clock] { return clock.now_ms(); };
  std::shared_ptr<storage::storage_faults> faults;
  if (options.fault_injection) {
    faults = std::make_shared<storage::storage_faults>();
    store_options.faults = faults;
  }
  auto opened = storage::rocksdb_event_store::open(store_options);
  if (!opened) {
    std::cerr << "herald serve: " << opened.error().message() << "\n";
    return 1;
  }
  std::unique_ptr<storage::rocksdb_event_store> store = std::move(*opened);
  deferred stop_store{[&] { store->stop(); }};

  actors::definition_registry definitions;
  if (auto st = definitions.load(*store); !st) {
    std::cerr << "herald serve: the stored definitions do not load: " << st.to_string() << "\n";
    return 1;
  }

  caf::actor_system_config actor_config;
  herald::actors::configure_actor_system(actor_config);
  caf::actor_system actors{actor_config};

  auto engine = std::make_shared<actors::engine_context>();
  engine->store = store.get();
  engine->definitions = &definitions;
  engine->clock = &clock;
  engine->calendar = std::move(*calendar);
  engine->roles = config.roles;
  engine->attachments_days = config.retention.attachments_days;
  engine->provider = actors::spawn_sandbox_provider(actors, sandbox_failure_ratio(config),
                                                    [&clock] { return clock.now_ms(); });
  deferred stop_provider{[&] { caf::anon_send_exit(engine->provider, caf::exit_reason::user_shutdown); }};

  actors::ingest_router_config router_config;
  router_config.store = store.get();
  router_config.passivate_after_ms = config.passivate_after_ms;
  router_config.clock_ms = [&clock] { return clock.now_ms(); };
  router_config.engine = engine;
  auto backlog = std::make_shared<actors::backlog_gauge>();
  router_config.backlog = backlog;
  router_config.checkpoint = [&store](std::uint64_t seq) { (void)store->set_engine_checkpoint(seq); };
  auto router = actors::spawn_ingest_router(actors, router_config);
  deferred stop_router{[&] { caf::anon_send_exit(router, caf::exit_reason::user_shutdown); }};

  auto leftovers = find_leftover_attempts(*store);
  if (!leftovers) {
    std::cerr << "herald serve: " << leftovers.error().message() << "\n";
    return 1;
  }
  // Entities only spawn on the first routed event, after these are set.
  engine->scheduler = actors::spawn_scheduler(actors, store.get(), &clock, router);
  auto report = [router](const std::string& owner, const std::string& attempt_id,
                         const actors::dispatch_outcome& outcome) {
    caf::anon_send(router, actors::status_atom_v, owner, attempt_id, outcome);
  };
  auto providers = spawn_providers(actors, config, [&clock] { return clock.now_ms(); }, report, clock.is_virtual(),
                                   mark_in_store(*store), backlog);
  if (!providers) {
    std::cerr << "herald serve: refusing to start: " << providers.error().to_string() << "\n";
    return 2;
  }
  engine->channel_providers = providers->by_channel;
  deferred stop_providers{[&] {
    for (auto& [channel, p] : providers->by_channel) caf::anon_send_exit(p.handle, caf::exit_reason::user_shutdown);
  }};
  deferred stop_scheduler{[&] { caf::anon_send_exit(engine->scheduler, caf::exit_reason::user_shutdown); }};

  // Attempts left queued by a stop: handed over again, or `unknown` when
  // their provider call had started (read before the scheduler can fire).
  if (auto recovered = settle_leftovers(*leftovers, router, clock.now_ms());
      recovered.redispatched + recovered.unknown > 0) {
    log(log_level::info, "recovered_dispatches",
        {{"redispatched", std::to_string(recovered.redispatched)}, {"unknown", std::to_string(recovered.unknown)}});
  }
  // Events made durable but not handled before a crash run their workflows now.
  if (auto resumed = reroute_unhandled(*store, router, *backlog); !resumed) {
    std::cerr << "herald serve: " << resumed.error().message() << "\n";
    return 1;
  } else if (*resumed > 0) {
    log(log_level::info, "resumed", {{"events", std::to_string(*resumed)}});
  }

  std::atomic<bool> ready{false};
  adapters::api_options api_options;
  api_options.store = store.get();
  api_options.api_keys = config.api_keys;
  api_options.cors_origins = config.http.cors_origins;
  api_options.modules = config.modules;
  api_options.ready = [&ready] { return ready.load(); };
  api_options.web_dir = options.web_dir;
  api_options.faults = faults;
  api_options.on_accepted = [router, backlog](const storage::event_batch& batch,
                                              const storage::append_outcome& outcome) {
    route_batch(router, *backlog, batch, outcome.seqs);
  };
  api_options.overloaded = [backlog, limit = config.http.max_backlog]() -> std::string {
    const std::int64_t events = backlog->events.load(std::memory_order_relaxed);
    const std::int64_t calls = backlog->calls.load(std::memory_order_relaxed);
    if (events + calls <= static_cast<std::int64_t>(limit)) return {};
    return "Herald is behind: " + std::to_string(events) + " events wait for their workflows and " +
           std::to_string(calls) + " attempts for providers (http.max_backlog " + std::to_string(limit) +
           "); nothing was taken, retry later";
  };
  retention_task retention(*store, clock, config.retention.provider_events_days, config.retention.attachments_days);
  api_options.engine = engine_hooks(definitions, clock, actors, engine->scheduler, options.time_skipping);
  if (api_options.engine.advance_time) {
    // Skipped time counts for retention and for providers' retries too.
    api_options.engine.advance_time = [advance = api_options.engine.advance_time, &retention,
                                       handles = providers->by_channel](
                                          std::int64_t to, std::function<void(result<std::int64_t>)> done) {
      advance(to, [done, &retention, handles](result<std::int64_t> now) {
        if (now) {
          retention.run_once();
          for (const auto& [channel, p] : handles) caf::anon_send(p.handle, actors::wake_atom_v);
        }
        done(std::move(now));
      });
    };
  }
  api_options.engine.operate = [&actors, router](const std::string& owner, const std::string& kind,
                                                 const std::string& target, const std::string& caller,
                                                 const std::string& body,
                                                 std::function<void(result<std::vector<std::string>>)> done) {
    // A one-shot actor carries the request: HTTP threads never block.
    actors::operation op{kind, target, caller, body};
    actors.spawn([router, owner, op, done](caf::event_based_actor* self) {
      self->request(router, operation_timeout, actors::operate_atom_v, owner, op)
          .then(
              [done](const actors::operation_result& r) {
                if (r.ok) return done(r.attempts);
                const errc code = r.code == "not_found"     ? errc::not_found
                                  : r.code == "unavailable" ? errc::unavailable
                                                            : errc::invalid_argument;
                done(status{code, r.message, r.field});
              },
              [done, self](caf::error& err) {
                done(status{errc::unavailable, "the operation did not finish: " + self->system().render(err)});
              });
    });
  };
  api_options.engine.engine_metrics = [&actors, engine, router](std::function<void(std::string)> done) {
    // Asks the router, the scheduler and every provider at once; writes when all answered.
    std::map<std::string, actors::provider_actor> providers{{engine->provider_name, engine->provider}};
    for (const auto& [channel, p] : engine->channel_providers) providers.emplace(p.name, p.handle);
    actors.spawn([engine, providers, done, router](caf::event_based_actor* self) {
      struct gathered {
        std::uint64_t pending = 0;
        actors::router_stats routing;
        std::map<std::string, actors::provider_health> health;
        std::size_t left = 0;
      };
      auto g = std::make_shared<gathered>();
      g->left = providers.size() + 2;
      auto finish = [g, done] {
        if (--g->left > 0) return;
        using domain::labels;
        std::string out;
        domain::write_metric(out, "herald_queue_pending_sends", "gauge", "Timers waiting to fire (pending sends).",
                             {{"", static_cast<double>(g->pending)}});
        domain::write_metric(out, "herald_entities_live", "gauge", "Entity actors in memory (not passivated).",
                             {{"", static_cast<double>(g->routing.live_entities)}});
        domain::write_metric(out, "herald_engine_retries_total", "counter",
                             "Events and provider reports routed again because their workflow step could not be stored.",
                             {{"", static_cast<double>(g->routing.retries)}});
        domain::write_metric(out, "herald_engine_events_held", "gauge",
                             "Events and provider reports waiting to be routed again (their entity's step could not be stored).",
                             {{"", static_cast<double>(g->routing.waiting_to_retry)}});
        domain::write_metric(out, "herald_engine_events_waiting", "gauge",
                             "Routed events waiting at the router while max_events_at_entities are with entity actors.",
                             {{"", static_cast<double>(g->routing.waiting_to_route)}});
        domain::write_metric(out, "herald_engine_handled_through_seq", "gauge",
                             "Every routed event at or below this sequence number has been handled.",
                             {{"", static_cast<double>(g->routing.handled_through)}});
        domain::samples waiting, in_flight, open;
        std::vector<std::pair<std::string, domain::histogram>> latency;
        for (const auto& [name, h] : g->health) {
          const std::string l = labels({{"provider", name}});
          waiting.emplace_back(l, static_cast<double>(h.waiting));
          in_flight.emplace_back(l, static_cast<double>(h.in_flight));
          open.emplace_back(l, h.breaker == "closed" ? 0.0 : 1.0);
          latency.emplace_back(l, h.call_seconds);
        }
        domain::write_metric(out, "herald_provider_waiting", "gauge", "Attempts waiting for a provider call.", waiting);
        domain::write_metric(out, "herald_provider_in_flight", "gauge", "Provider calls under way.", in_flight);
        domain::write_metric(out, "herald_provider_breaker_open", "gauge", "1 while a provider's circuit breaker is open.",
                             open);
        domain::write_histogram(out, "herald_provider_call_seconds", "Provider call latency, request to answer.",
                                latency);
        done(std::move(out));
      };
      self->request(router, std::chrono::seconds(5), actors::stats_atom_v)
          .then([g, finish](const actors::router_stats& r) { g->routing = r; finish(); },
                [finish](caf::error&) { finish(); });
      self->request(engine->scheduler, std::chrono::seconds(5), actors::health_atom_v)
          .then([g, finish](std::uint64_t n) { g->pending = n; finish(); }, [finish](caf::error&) { finish(); });
      for (const auto& [name, handle] : providers) {
        self->request(handle, std::chrono::seconds(5), actors::health_atom_v)
            .then([g, finish, name = name](const actors::provider_health& h) { g->health[name] = h; finish(); },
                  [finish](caf::error&) { finish(); });
      }
    });
  };
  api_options.engine.report_status = [report](const std::string& owner, const std::string& attempt_id,
                                              const std::string& message_id,
                                              const std::vector<domain::status_change>& statuses) {
    report(owner, attempt_id, actors::dispatch_outcome{message_id, statuses});
  };
  {
    const auto& sendgrid = provider_settings(config, "sendgrid");
    const auto& twilio = provider_settings(config, "twilio");
    using domain::json_fields::str;
    api_options.webhooks.sendgrid_public_key = str(sendgrid, "webhook_public_key");
    api_options.webhooks.twilio_auth_token = str(twilio, "auth_token");
    const std::string callback = str(twilio, "status_callback_url");
    api_options.webhooks.twilio_public_url = callback.substr(0, callback.find('?'));
  }
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

  if (!options.load_dir.empty()) {
    auto loaded = load_directory(options.load_dir, *api);
    if (!loaded) {
      std::cerr << "herald serve: --load " << options.load_dir << ": " << loaded.error().message() << "\n";
      return 1;
    }
    log(log_level::info, "loaded",
        {{"dir", options.load_dir},
         {"definitions_changed", std::to_string(loaded->definitions_changed)},
         {"definitions_unchanged", std::to_string(loaded->definitions_unchanged)},
         {"events_accepted", std::to_string(loaded->events_accepted)},
         {"events_duplicate", std::to_string(loaded->events_duplicate)}});
  }
  ready = true;

  const std::string url = "http://" + listen->first + ":" + std::to_string((*server)->port());
  std::cout << "herald listening on " << url << std::endl;
  log(log_level::info, "listening",
      {{"url", url}, {"data_dir", config.data_dir},
       {"clock", options.time_skipping ? "virtual (time skipping)" : "system"},
       {"api_keys", config.api_keys.empty() ? "none (loopback only)" : "required"}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  ready = false;
  // Stop in order: no new requests (those in flight answer), then let the
  // providers finish the calls under way and those waiting, for a bounded
  // time, and let the entities record what they answered.
  (*server)->stop(drain_timeout);
  drain_providers(actors, providers->by_channel, router, drain_timeout);
  log(log_level::info, "stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  return 0;
}

}  // namespace herald::app
