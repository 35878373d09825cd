// Measures durable ingest, printed as one JSON line:
//  - in-process: many concurrent appenders, each appending batches of 100
//    events of ~400 bytes, fsync per group commit (sync every_commit);
//  - HTTP: keep-alive connections posting NDJSON batches of 100 such events to
//    the real server (Beast + API + store + the ingest router actor), loopback;
//  - the raw RocksDB ceiling in the same run: WriteBatch(1000) with
//    sync=true of records of the size Herald writes per event.
// Usage: ingest_bench [--events N] [--appenders N] [--connections N] [--dir D]
//                     [--only inproc|http|raw]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <boost/json.hpp>
#include <caf/all.hpp>

#include "actors/actor_system_setup.hpp"
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "actors/ingest_router_actor.hpp"
#include "adapters/http/api.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/http/http_server.hpp"
#include "domain/event_decoder.hpp"
#include "bench/raw_ceiling.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr std::size_t batch_events = 100;

// One CloudEvent line of about 400 bytes: a delegate record.
std::string event_line(const std::string& tag, std::size_t i) {
  std::string line = R"({"specversion":"1.0","id":")" + tag + "-" + std::to_string(i) +
                     R"(","source":"bench/crm","type":"delegate.saved","subject":"Delegate/d-)" +
                     std::to_string(i % 50000) +
                     R"(","time":"2026-11-22T10:00:00Z","data":{"label":"Delegate )" + std::to_string(i) +
                     R"(","fields":{"Status":"Booked","Seats":1,"Notes":"bench"},"links":{"User":"User/u-)" +
                     std::to_string(i % 9000) + R"(","CourseDate":"CourseDate/cd-)" + std::to_string(i % 300) +
                     R"("},"contact":{"email":"delegate)" + std::to_string(i) + R"(@example.com","mobile":"+447700900123"}}})";
  while (line.size() < 400) {
    line.insert(line.find("bench\"}"), "-");
  }
  return line;
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::string machine() {
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model = "unknown";
  while (std::getline(cpu, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return std::to_string(std::thread::hardware_concurrency()) + " cores, " + model;
}

struct inproc_result {
  double events_per_s = 0;
  double bytes_per_event = 0;
  double events_per_commit = 0;
};

inproc_result bench_inproc(const std::string& dir, std::size_t events, std::size_t appenders) {
  herald::storage::store_options o;
  o.path = dir;
  auto store = std::move(*herald::storage::rocksdb_event_store::open(o));
  // Pre-decode all batches: this measures the store, not JSON parsing.
  std::vector<std::vector<herald::domain::cloud_event>> batches;
  for (std::size_t b = 0; b < events / batch_events; ++b) {
    std::string body;
    for (std::size_t i = 0; i < batch_events; ++i) {
      body += event_line("inproc", b * batch_events + i) + "\n";
    }
    batches.push_back(std::move(*herald::domain::decode_events(body, herald::domain::body_format::ndjson)));
  }
  std::atomic<std::size_t> next{0};
  const auto start = clock_type::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < appenders; ++t) {
    threads.emplace_back([&] {
      for (std::size_t b; (b = next.fetch_add(1)) < batches.size();) {
        auto r = store->append(std::move(batches[b]));
        if (!r) {
          std::cerr << r.error().to_string() << "\n";
          std::exit(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = seconds_since(start);
  const auto stats = store->stats();
  return {static_cast<double>(stats.events) / secs,
          static_cast<double>(stats.batch_bytes) / static_cast<double>(stats.events),
          static_cast<double>(stats.events) / static_cast<double>(stats.commits)};
}

double bench_http(const std::string& dir, std::size_t events, std::size_t connections) {
  herald::storage::store_options o;
  o.path = dir;
  auto store = std::move(*herald::storage::rocksdb_event_store::open(o));
  caf::actor_system_config cfg;
  herald::actors::configure_actor_system(cfg);
  caf::actor_system system{cfg};
  herald::actors::ingest_router_config rc;
  rc.store = store.get();
  auto router = herald::actors::spawn_ingest_router(system, rc);
  herald::adapters::api_options ao;
  ao.store = store.get();
  ao.on_accepted = [router](const herald::storage::event_batch& b, const herald::storage::append_outcome& out) {
    caf::anon_send(router, herald::actors::route_atom_v, b, out.seqs);
  };
  auto api = std::make_shared<herald::adapters::api>(ao);
  herald::adapters::http_server_options ho;
  ho.port = 0;
  auto server = std::move(*herald::adapters::http_server::start(
      ho, [api](herald::adapters::http_request r, herald::adapters::http_responder respond) {
        api->handle(std::move(r), std::move(respond));
      }));
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port()) + "/v1/events";
  std::vector<std::string> bodies;
  for (std::size_t b = 0; b < events / batch_events; ++b) {
    std::string body;
    for (std::size_t i = 0; i < batch_events; ++i) {
      body += event_line("http", b * batch_events + i) + "\n";
    }
    bodies.push_back(std::move(body));
  }
  std::atomic<std::size_t> next{0}, accepted{0};
  const auto start = clock_type::now();
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      herald::adapters::http_client client;
      for (std::size_t b; (b = next.fetch_add(1)) < bodies.size();) {
        auto r = client.request("POST", url, {{"Content-Type", "application/x-ndjson"}}, bodies[b]);
        if (!r || r->status != 202) {
          std::cerr << "request failed: " << (r ? r->body : r.error().message()) << "\n";
          std::exit(1);
        }
        accepted += batch_events;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = seconds_since(start);
  server->stop(std::chrono::seconds(5));
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  return static_cast<double>(accepted) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t events = 300000, appenders = 32, connections = 8;
  std::string only;  // "inproc", "http" or "raw" runs one phase (for profiling)
  std::string base = (std::filesystem::temp_directory_path() / "herald-ingest-bench").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--events") events = std::stoul(argv[i + 1]);
    else if (flag == "--appenders") appenders = std::stoul(argv[i + 1]);
    else if (flag == "--connections") connections = std::stoul(argv[i + 1]);
    else if (flag == "--dir") base = argv[i + 1];
    else if (flag == "--only") only = argv[i + 1];
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  events = std::max<std::size_t>(events / 1000 * 1000, 1000);
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);

  const bool all = only.empty();
  const inproc_result inproc = all || only == "inproc" || only == "raw"
                                   ? bench_inproc(base + "/inproc", only == "raw" ? 10000 : events, appenders)
                                   : inproc_result{};
  const double http = all || only == "http" ? bench_http(base + "/http", events, connections) : 0;
  const auto record_bytes = static_cast<std::size_t>(inproc.bytes_per_event ? inproc.bytes_per_event : 400);
  const double raw = all || only == "raw" ? herald::bench::raw_ceiling_records_per_s(base + "/raw", events, record_bytes) : 1;
  std::filesystem::remove_all(base);

  json::object out;
  out["bench"] = "ingest";
  out["machine"] = machine();
  out["events"] = events;
  out["event_json_bytes"] = event_line("http", 1).size();
  out["sync"] = "every_commit";
  out["inproc_appenders"] = appenders;
  out["inproc_events_per_s"] = static_cast<std::int64_t>(inproc.events_per_s);
  out["inproc_events_per_group_commit"] = static_cast<std::int64_t>(inproc.events_per_commit);
  out["bytes_written_per_event"] = static_cast<std::int64_t>(inproc.bytes_per_event);
  out["http_connections"] = connections;
  out["http_batch_events"] = batch_events;
  out["http_events_per_s"] = static_cast<std::int64_t>(http);
  out["raw_ceiling_records_per_s"] = static_cast<std::int64_t>(raw);
  out["raw_ceiling_record_bytes"] = record_bytes;
  out["inproc_percent_of_raw_bytes_per_s"] = static_cast<std::int64_t>(std::lround(inproc.events_per_s / raw * 100));
  std::cout << json::serialize(out) << std::endl;
  return 0;
}
