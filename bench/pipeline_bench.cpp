// Measures the workflow pipeline in-process, printed as one JSON line:
//  - throughput: events appended durably and routed as ingest does, each
//    triggering a workflow whose action is due at once: rules -> instance ->
//    timer -> fire -> render -> sandbox dispatch -> attempt logged durably
//    (sync every_commit); communications per second, bytes written per
//    communication, the raw RocksDB ceiling for records of those bytes, and
//    the heap each live (idle, not yet passivated) entity actor holds;
//  - latency: event recorded -> attempt delivered, p50 and p99, at a fixed
//    offered load (default 5,000 events/s);
//  - timers: timers fired per second when every one is overdue (a restart
//    after downtime), each on a passivated entity: the path of a delayed
//    workflow's communication (fire -> restore -> rules -> render -> dispatch);
//  - memory: resident bytes per passivated entity with a pending timer.
// Usage: pipeline_bench [--events N] [--rate N] [--idle N] [--dir D]
//                       [--only throughput|latency|timers|memory] [--ceiling yes|no]
//                       [--keep yes] [--latency-dump FILE] [--latency-seconds S]
//                       [--warmup-seconds W] [--warmup-events N]
// (--ceiling no skips measuring the raw ceiling, e.g. under a profiler;
// --keep yes leaves the data folders, e.g. for `herald export`;
// --latency-dump writes each communication's recording time, latency and how much
// of it passed before its attempt was queued (ingest and the step),
// to set the slow ones against RocksDB's LOG, e.g. its flushes;
// --latency-seconds sets how long the load is measured, 4 s by default: one
// stall of the disk or the host moves the p99 of a short run;
// --warmup-seconds W offers the same load for W seconds first, 1 by default,
// whose latencies are not counted but whose worst is printed: a process's
// first tens of milliseconds fault in its heap and start its threads;
// --warmup-events N (throughput) first offers N events of other entities
// and passivates every actor, as a server's periodic sweep does, then
// measures --events on top: a server past its first sweep, whose new
// actors reuse the memory the sweep freed and whose store holds data)

#include <sys/resource.h>

#include <jemalloc/jemalloc.h>

#define STRINGIFY_VALUE(x) #x
#define STRINGIFY(x) STRINGIFY_VALUE(x)
#define STRINGIFY_ARENAS STRINGIFY(MALLCTL_ARENAS_ALL)

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <optional>
#include <thread>

#include <boost/json.hpp>
#include <caf/all.hpp>

#include "actors/actor_system_setup.hpp"
#include <date/tz.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "actors/engine_context.hpp"
#include "actors/ingest_router_actor.hpp"
#include "domain/rfc3339.hpp"
#include "bench/raw_ceiling.hpp"
#include "bench/store_ceiling.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "storage/wal_checksum.hpp"

namespace json = boost::json;
using namespace herald;
using clock_type = std::chrono::steady_clock;
using store_t = storage::rocksdb_event_store;

namespace {

const char* const template_json = R"({"channel":"email","subject":"Booking confirmed: @@label",
  "text":"Dear @@FirstName, your booking @@Id is confirmed."})";

std::string workflow_json(const std::string& delay) {
  return R"({"title":"Bench","module":"Delegate","trigger":{"on":"delegate.saved"},
    "rules":[{"field":"Status","op":"eq","value":"Booked"}],
    "actions":[{"kind":"send","template":"t","to":["@self"],"channels":["email"],)" +
         (delay.empty() ? std::string() : R"("delay":")" + delay + R"(",)") + R"("category":"Booking"}]})";
}

domain::cloud_event delegate_event(const std::string& tag, std::size_t i) {
  domain::cloud_event ev;
  ev.id = tag + "-" + std::to_string(i);
  ev.source = "bench";
  ev.type = "delegate.saved";
  ev.subject = "Delegate/" + tag + "-" + std::to_string(i);
  ev.data_kind = domain::data_form::json;
  ev.data = R"({"label":"Delegate )" + std::to_string(i) + R"(","fields":{"Status":"Booked","FirstName":"D)" +
            std::to_string(i) + R"("},"contact":{"email":"d)" + std::to_string(i) + R"(@example.com"}})";
  return ev;
}

// Log records per communication: the event, the instance (created and
// fired in one step, its action being due at once) carrying the attempt it
// created, the attempt delivered.
constexpr std::uint64_t records_per_communication = 3;

double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

struct pipeline {
  explicit pipeline(const std::string& dir, const std::string& delay, std::int64_t passivate_after_ms = 60000,
                    actors::engine_clock engine_time = actors::engine_clock::system())
      : clock(engine_time) {
    storage::store_options so;
    so.path = dir;
    store = std::move(*store_t::open(so));
    (void)definitions.put("template", "t", 1, template_json);
    (void)definitions.put("workflow", "w", 1, workflow_json(delay));
    herald::actors::configure_actor_system(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
    engine = std::make_shared<actors::engine_context>();
    engine->store = store.get();
    engine->definitions = &definitions;
    engine->clock = &clock;
    engine->calendar = *domain::business_calendar::make(domain::organisation_config{},
                                                        date::locate_zone("Europe/London"));
    engine->provider = actors::spawn_sandbox_provider(*system, 0.0, [this] { return clock.now_ms(); });
    actors::ingest_router_config rc;
    rc.store = store.get();
    rc.engine = engine;
    rc.passivate_after_ms = passivate_after_ms;
    rc.periodic_sweep = false;
    router = actors::spawn_ingest_router(*system, rc);
    engine->scheduler = actors::spawn_scheduler(*system, store.get(), &clock, router);
  }
  ~pipeline() {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(engine->scheduler, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(engine->provider, caf::exit_reason::user_shutdown);
    system.reset();
  }

  // Appends a batch durably and routes it, as POST /v1/events does.
  void ingest(std::vector<domain::cloud_event> events, std::function<void()> done = {}) {
    auto batch = std::make_shared<const std::vector<domain::cloud_event>>(std::move(events));
    auto r = router;
    store->append_async(batch, [r, batch, done](result<storage::append_outcome> out) {
      if (out) caf::anon_send(r, actors::route_atom_v, batch, out->seqs);
      if (done) done();
    });
  }

  // Ingests delegate events [from, to) tagged `tag` as one batch and waits
  // until it is durable.
  void ingest_durably(const std::string& tag, std::size_t from, std::size_t to) {
    std::vector<domain::cloud_event> batch;
    for (std::size_t i = from; i < to; ++i) batch.push_back(delegate_event(tag, i));
    std::promise<void> durable;
    ingest(std::move(batch), [&durable] { durable.set_value(); });
    durable.get_future().wait();
  }

  // Ingests events [0, n) tagged `tag` from four feeders, each appending
  // batches of 100 and waiting until each is durable, as clients do.
  void ingest_from_feeders(const std::string& tag, std::size_t n) {
    std::vector<std::thread> feeders;
    std::atomic<std::size_t> next{0};
    for (int t = 0; t < 4; ++t) {
      feeders.emplace_back([&] {
        for (std::size_t b; (b = next.fetch_add(100)) < n;) ingest_durably(tag, b, std::min(n, b + 100));
      });
    }
    for (auto& f : feeders) f.join();
  }

  // Waits until every event routed so far has been handled by its entity
  // and that entity's work is durable.
  void settle() {
    caf::scoped_actor self{*system};
    self->request(router, std::chrono::minutes(10), actors::settle_atom_v).receive([](bool) {}, [](caf::error&) {});
  }

  // Asks the router to passivate every idle actor (as a server's periodic
  // sweep does); returns how many it passivated. They stop in chunks after.
  std::uint64_t sweep() {
    std::uint64_t passivated = 0;
    caf::scoped_actor self{*system};
    self->request(router, std::chrono::minutes(1), actors::sweep_atom_v, INT64_MAX)
        .receive([&](std::uint64_t n) { passivated = n; }, [](caf::error&) {});
    return passivated;
  }

  // Settles, then passivates every actor and waits until they have stopped.
  void passivate_every_actor() {
    settle();
    sweep();
    const auto swept_at = clock_type::now();
    while (system->registry().running() > 16 && seconds_since(swept_at) < 60) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  std::size_t logged() const {
    std::size_t n = 0;
    (void)store->scan_index(store_t::index_kind::log, "", "", [&](const std::string&, const std::string&) {
      ++n;
      return true;
    });
    return n;
  }

  // Waits until `records` log records exist (ingested plus engine events):
  // cheap to ask, unlike counting the log index.
  void wait_for_records(std::uint64_t records) const {
    while (store->last_seq() < records) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  actors::engine_clock clock;
  std::unique_ptr<store_t> store;
  actors::definition_registry definitions;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  std::shared_ptr<actors::engine_context> engine;
  actors::ingest_router_actor router;
};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// jemalloc's count of bytes the program has allocated and not freed.
std::size_t allocated_bytes() {
  std::uint64_t epoch = 1;
  std::size_t allocated = 0, size = sizeof allocated;
  mallctl("epoch", nullptr, nullptr, &epoch, sizeof epoch);
  mallctl("stats.allocated", &allocated, &size, nullptr, 0);
  return allocated;
}

// How long jemalloc keeps freed pages before it returns them, as configured.
std::int64_t jemalloc_dirty_decay_ms() {
  ssize_t ms = 0;
  std::size_t size = sizeof ms;
  if (mallctl("opt.dirty_decay_ms", &ms, &size, nullptr, 0) != 0 || ms < 0) return 0;
  return ms;
}

// jemalloc's transparent huge page mode, as configured for this run.
std::string jemalloc_thp() {
  const char* mode = nullptr;
  std::size_t size = sizeof mode;
  if (mallctl("opt.thp", &mode, &size, nullptr, 0) != 0 || !mode) return "unknown";
  return mode;
}

// A flag's whole-number value; nullopt (after saying why) when it is not one.
std::optional<std::size_t> count_flag(const std::string& flag, const std::string& text) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    std::cerr << flag << ": '" << text << "' is not a whole number\n";
    return std::nullopt;
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t events = 50000, rate = 5000, idle = 100000, latency_seconds = 4, warmup_seconds = 1, warmup_events = 0;
  std::string only;  // one phase, or all of them
  bool ceiling = true;
  bool keep = false;  // leave the data folders, e.g. to export their logs
  std::ofstream latency_dump;  // each communication's "recorded_at_ms latency_ms", to find stalls
  std::string base = (std::filesystem::temp_directory_path() / "herald-pipeline-bench").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    std::size_t* count = flag == "--events"            ? &events
                         : flag == "--rate"            ? &rate
                         : flag == "--latency-seconds" ? &latency_seconds
                         : flag == "--warmup-seconds"  ? &warmup_seconds
                         : flag == "--warmup-events"   ? &warmup_events
                         : flag == "--idle"            ? &idle
                                                       : nullptr;
    if (count) {
      const auto value = count_flag(flag, argv[i + 1]);
      if (!value) return 2;
      *count = *value;
    } else if (flag == "--dir") base = argv[i + 1];
    else if (flag == "--only") only = argv[i + 1];
    else if (flag == "--ceiling") ceiling = std::string(argv[i + 1]) != "no";
    else if (flag == "--keep") keep = std::string(argv[i + 1]) == "yes";
    else if (flag == "--latency-dump") {
      latency_dump.open(argv[i + 1]);
      if (!latency_dump) {
        std::cerr << "--latency-dump: cannot write " << argv[i + 1] << "\n";
        return 2;
      }
    }
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (events == 0 || rate == 0 || latency_seconds == 0 || idle == 0) {
    std::cerr << "--events, --rate, --latency-seconds and --idle must be above 0\n";
    return 2;
  }
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);
  json::object out;
  out["bench"] = "pipeline";
  out["sync"] = "every_commit";
  out["allocator_thp"] = jemalloc_thp();  // app/malloc_settings.cpp, unless MALLOC_CONF says otherwise
  out["wal_crc32c"] = storage::crc32c_implementation();  // storage/wal_checksum.hpp

  auto runs = [&only](const char* phase) { return only.empty() || only == phase; };
  if (runs("throughput")) {  // Throughput: everything offered at once, in batches of 100 from 4 feeders.
    pipeline p(base + "/throughput", "");
    if (warmup_events > 0) {
      // Other entities first, then every actor passivated at once, as a
      // server's periodic sweep does: the measured run reuses the memory
      // the sweep freed and finds data in the store, as a server does once
      // it has run past its first sweep.
      p.ingest_from_feeders("w", warmup_events);
      p.wait_for_records(warmup_events * records_per_communication);
      p.passivate_every_actor();
    }
    const auto stats_before = p.store->stats();  // the warm-up's writes are not the measured run's
    const auto stalls_before = p.store->write_stalls();
    const std::uint64_t first_measured_seq = p.store->last_seq() + 1;
    const double cpu_before = cpu_seconds();
    const auto start = clock_type::now();
    p.ingest_from_feeders("t", events);
    p.wait_for_records((warmup_events + events) * records_per_communication);
    const double secs = seconds_since(start);
    const double cpu = cpu_seconds() - cpu_before;
    const auto stalls = p.store->write_stalls();
    if (p.logged() != warmup_events + events) {
      std::cerr << "expected " << warmup_events + events << " attempts, found " << p.logged() << "\n";
      return 1;
    }
    // Heap each live, idle entity actor holds (passivate_after_ms is 60 s
    // by default, so a server at this rate keeps a minute of new entities
    // live): the live heap before and after passivating every actor.
    // RocksDB's memtables and cache are left out: a flush may end between the two.
    p.settle();
    const double live_heap = static_cast<double>(allocated_bytes()) - static_cast<double>(p.store->memory_bytes());
    p.passivate_every_actor();
    const double passivated_heap = static_cast<double>(allocated_bytes()) - static_cast<double>(p.store->memory_bytes());
    auto stats = p.store->stats();
    stats.events -= stats_before.events;
    stats.batch_bytes -= stats_before.batch_bytes;
    stats.commits -= stats_before.commits;
    out["events"] = events;
    if (warmup_events > 0) out["warmup_events_passivated_before"] = warmup_events;
    out["communications_per_s"] = static_cast<std::int64_t>(events / secs);
    // CPU of every thread (user and system) per communication: steadier
    // than the rate on a shared VM, for comparing changes.
    out["cpu_us_per_communication"] = static_cast<std::int64_t>(cpu * 1e6 / static_cast<double>(events));
    out["log_records_per_communication"] = static_cast<std::int64_t>(stats.events / events);
    const auto bytes = static_cast<std::size_t>(stats.batch_bytes / events);
    out["bytes_written_per_communication"] = bytes;
    out["live_entity_heap_bytes"] =
        static_cast<std::int64_t>((live_heap - passivated_heap) / static_cast<double>(events));
    out["records_per_group_commit"] = static_cast<std::int64_t>(stats.commits ? stats.events / stats.commits : 0);
    // RocksDB stopping every write while memtables wait for their flush
    // (rocksdb_event_store.hpp, write_stall_totals): how long the
    // committer's writes waited in the run. At saturation that time goes to
    // the flushes, so it is not the rate's loss (bench/HISTORY.md, session 25).
    out["write_stops"] = static_cast<std::int64_t>(stalls.stops - stalls_before.stops);
    out["write_stall_ms"] = static_cast<std::int64_t>(std::lround((stalls.seconds - stalls_before.seconds) * 1000));
    if (ceiling) {
      const double raw = herald::bench::raw_ceiling_records_per_s(base + "/raw", 100000, bytes);
      out["raw_ceiling_records_per_s_at_those_bytes"] = static_cast<std::int64_t>(raw);
      out["percent_of_raw_bytes_per_s"] = static_cast<std::int64_t>(std::lround(events / secs / raw * 100));
      // The same records written again by the store alone: the part of the
      // cost that is writing what each communication must leave behind.
      const auto appends = herald::bench::appends_of(*p.store, first_measured_seq);
      const double store_cpu_before = cpu_seconds();
      const auto store_run = herald::bench::run_store(base + "/store", appends);
      const double store_cpu = cpu_seconds() - store_cpu_before;
      if (store_run.refused > 0 || store_run.records != stats.events || store_run.attempts != events) {
        std::cerr << "store ceiling: " << store_run.refused << " appends refused, " << store_run.records << " of "
                  << stats.events << " records and " << store_run.attempts << " of " << events
                  << " attempts written\n";
        return 1;
      }
      out["store_ceiling_communications_per_s"] = static_cast<std::int64_t>(events / store_run.seconds);
      out["store_ceiling_cpu_us_per_communication"] =
          static_cast<std::int64_t>(store_cpu * 1e6 / static_cast<double>(events));
      out["percent_of_store_ceiling"] = static_cast<std::int64_t>(std::lround(store_run.seconds / secs * 100));
    }
  }

  if (runs("latency")) {  // Latency at a fixed offered load: event recorded -> attempt delivered.
    pipeline p(base + "/latency", "");
    const std::size_t n = std::min<std::size_t>(events, rate * latency_seconds);
    const std::size_t warmup = rate * warmup_seconds;
    const auto start = clock_type::now();
    // Warm-up events are tagged "w", measured ones "l": one steady load.
    for (std::size_t i = 0; i < warmup + n; i += 10) {
      const auto due = start + std::chrono::microseconds(static_cast<std::int64_t>(i * 1e6 / rate));
      std::this_thread::sleep_until(due);
      std::vector<domain::cloud_event> batch;
      for (std::size_t j = i; j < std::min(warmup + n, i + 10); ++j) {
        batch.push_back(j < warmup ? delegate_event("w", j) : delegate_event("l", j - warmup));
      }
      p.ingest(std::move(batch));
    }
    p.wait_for_records((warmup + n) * records_per_communication);
    std::vector<std::int64_t> latencies;
    std::int64_t warmup_max = 0;
    (void)p.store->scan_index(store_t::index_kind::log, "", "", [&](const std::string& id, const std::string&) {
      auto text = p.store->view(store_t::view_kind::attempt, id);
      auto attempt = json::parse(**text).as_object();
      auto inst = json::parse(**p.store->view(store_t::view_kind::instance, std::string(attempt.at("instance_id").as_string()))).as_object();
      auto trigger = p.store->read(static_cast<std::uint64_t>(inst.at("trigger_seq").to_number<std::int64_t>()));
      const auto& timeline = attempt.at("timeline").as_array();
      auto delivered = domain::parse_rfc3339_ms(timeline.back().at("at").as_string());
      const std::int64_t latency = *delivered - trigger->recorded_at_ms;
      const bool warming_up = trigger->event.subject->rfind("Delegate/w-", 0) == 0;
      if (warming_up) {
        warmup_max = std::max(warmup_max, latency);
      } else {
        latencies.push_back(latency);
      }
      if (latency_dump.is_open()) {
        auto queued = domain::parse_rfc3339_ms(timeline.front().at("at").as_string());
        latency_dump << trigger->recorded_at_ms << " " << latency << " " << (*queued - trigger->recorded_at_ms) << " "
                     << (warming_up ? 1 : 0) << "\n";
      }
      return true;
    });
    std::sort(latencies.begin(), latencies.end());
    out["offered_events_per_s"] = rate;
    out["latency_p50_ms"] = latencies[latencies.size() / 2];
    out["latency_p99_ms"] = latencies[latencies.size() * 99 / 100];
    out["latency_warmup_seconds"] = warmup_seconds;
    out["latency_warmup_max_ms"] = warmup_max;
  }

  if (runs("timers")) {  // Timers: every communication through a durable timer, fired after a restart.
    // Booked two hours ago (a virtual clock: nothing fires) with an hour's
    // delay; then restarted on the real clock, so every timer is overdue and
    // fires at once, each on a passivated entity restored from the store,
    // as a delayed workflow's timers do once its entities went idle.
    const std::string dir = base + "/timers";
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    // The log as the restart finds it: read before the restart, whose
    // scheduler starts firing as soon as it is spawned.
    std::uint64_t records_before = 0;
    {
      pipeline p(dir, "PT1H", 60000, actors::engine_clock::virtual_at(now_ms - 2 * 3600 * 1000));
      for (std::size_t b = 0; b < events; b += 1000) p.ingest_durably("f", b, std::min(events, b + 1000));
      p.settle();
      records_before = p.store->last_seq();
    }
    const double cpu_before = cpu_seconds();
    const auto start = clock_type::now();
    pipeline p(dir, "PT1H");
    // Each fire writes the instance's record (carrying the attempt) and the
    // sandbox's outcome.
    p.wait_for_records(records_before + 2 * events);
    const double secs = seconds_since(start);
    const double cpu = cpu_seconds() - cpu_before;
    if (p.logged() != events) {
      std::cerr << "timers: expected " << events << " attempts, found " << p.logged() << "\n";
      return 1;
    }
    out["timers_fired_per_s"] = static_cast<std::int64_t>(events / secs);
    out["cpu_us_per_timer"] = static_cast<std::int64_t>(cpu * 1e6 / static_cast<double>(events));
    // The store counts what was appended since it opened: the fires' records.
    out["log_records_per_timer"] = static_cast<std::int64_t>(p.store->stats().events / events);
  }

  if (runs("memory")) {  // Memory: entities with a pending timer, all passivated.
    pipeline p(base + "/memory", "P30D", 1);
    // What earlier phases freed is not this phase's baseline.
    mallctl("arena." STRINGIFY_ARENAS ".purge", nullptr, nullptr, nullptr, 0);
    const long before = rss_kib();
    const std::size_t actors_before = p.system->registry().running();
    // Entities go idle as they are created and a server's periodic sweep
    // passivates them: sweep every 10,000, as one would every few seconds.
    std::uint64_t passivated = 0;
    auto settle_and_sweep = [&] {
      p.settle();
      passivated += p.sweep();
    };
    for (std::size_t b = 0; b < idle; b += 1000) {
      p.ingest_durably("m", b, std::min(idle, b + 1000));
      if ((b / 1000) % 10 == 9) settle_and_sweep();
    }
    settle_and_sweep();
    auto count_pending = [&] {
      std::size_t n = 0;
      (void)p.store->scan_timers(INT64_MAX, [&](const store_t::timer_entry&) {
        ++n;
        return true;
      });
      return n;
    };
    std::size_t pending = count_pending();
    const auto settled_at = clock_type::now();
    for (std::size_t again; (again = count_pending()) != pending || again < idle;) {
      if (seconds_since(settled_at) > 120) break;  // report what is there
      pending = again;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    // Passivation stops actors in chunks (see ingest_router_actor.cpp): wait
    // until they are gone before measuring.
    while (p.system->registry().running() > actors_before + 8 && seconds_since(settled_at) < 120) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    out["seconds_until_all_timers_durable_after_settle"] = static_cast<std::int64_t>(seconds_since(settled_at));
    // jemalloc returns freed memory after its decay (app/malloc_settings.cpp),
    // as in the server: the resident size is read once that has passed.
    std::this_thread::sleep_for(std::chrono::milliseconds(jemalloc_dirty_decay_ms() + 500));
    const long after = rss_kib();
    // Live heap, as opposed to resident: the difference is memory the
    // allocator keeps after the actors that used it stopped.
    const std::size_t allocated = allocated_bytes();
    out["idle_entities"] = idle;
    out["idle_entities_passivated"] = passivated;
    out["pending_timers"] = pending;
    out["resident_bytes_per_passivated_entity"] = static_cast<std::int64_t>((after - before) * 1024 / static_cast<long>(idle));
    out["heap_in_use_bytes_per_passivated_entity"] = static_cast<std::int64_t>(allocated / idle);
  }
  if (!keep) std::filesystem::remove_all(base);
  std::cout << json::serialize(out) << std::endl;
  return 0;
}
