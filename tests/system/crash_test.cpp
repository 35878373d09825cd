// Crash consistency of ingest: `herald serve` runs as a child process, several
// clients post batches over their own keep-alive connections, and the server
// is SIGKILLed after a random number of acknowledged batches, while other
// batches are in flight. After every restart each event acknowledged with 202
// must be in the log exactly once.

#include <catch2/catch.hpp>

#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <signal.h>
#include <thread>

#include "adapters/http/http_client.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/events.hpp"
#include "tests/support/temp_dir.hpp"

using herald::test::delegate_record;
using herald::test::event_line;

TEST_CASE("every event acknowledged with 202 survives SIGKILL exactly once", "[system][crash]") {
  herald::test::temp_dir dir;
  const std::string data = dir.sub("data");
  const unsigned seed = std::random_device{}();
  std::cout << "crash test seed " << seed << std::endl;
  std::mt19937 rng(seed);
  constexpr int iterations = 5, clients = 4, batch_size = 50;

  std::vector<std::string> acked;
  std::size_t attempted_batches = 0;
  for (int it = 0; it < iterations; ++it) {
    herald::test::herald_server server(data);
    const int kill_after = std::uniform_int_distribution<int>(2, 30)(rng);
    std::mutex mu;
    std::condition_variable cv;
    int acked_batches = 0;
    std::vector<std::vector<std::string>> acked_by(clients);
    std::vector<std::size_t> attempts(clients, 0);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        herald::adapters::http_client client;
        for (int b = 0; !stop; ++b) {
          std::string body;
          std::vector<std::string> ids;
          for (int i = 0; i < batch_size; ++i) {
            ids.push_back(std::to_string(it) + "-" + std::to_string(c) + "-" + std::to_string(b) + "-" +
                          std::to_string(i));
            body += event_line(ids.back(), "Delegate/d-" + std::to_string(i % 10),
                               delegate_record(i % 2 ? "Booked" : "Cancelled")) + "\n";
          }
          if (!acked_by[c].empty()) {  // a re-send of an acknowledged event must stay single
            body += event_line(acked_by[c].front(), "Delegate/d-0", delegate_record("Booked")) + "\n";
          }
          ++attempts[c];
          auto r = client.request("POST", server.url + "/v1/events",
                                  {{"Content-Type", "application/x-ndjson"}}, body,
                                  std::chrono::seconds(20));
          if (!r || r->status != 202) {
            break;  // the server is gone
          }
          acked_by[c].insert(acked_by[c].end(), ids.begin(), ids.end());
          std::lock_guard<std::mutex> lock(mu);
          ++acked_batches;
          cv.notify_all();
        }
      });
    }
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return acked_batches >= kill_after; });
    }
    server.process.kill_with(SIGKILL);
    CHECK(server.process.wait() == 128 + SIGKILL);
    stop = true;
    for (auto& t : threads) t.join();
    for (int c = 0; c < clients; ++c) {
      acked.insert(acked.end(), acked_by[c].begin(), acked_by[c].end());
      attempted_batches += attempts[c];
    }
  }

  {  // The node restarts cleanly on the folder it was killed on.
    herald::test::herald_server server(data);
    herald::adapters::http_client client;
    auto ready = client.request("GET", server.url + "/readyz");
    REQUIRE(ready);
    CHECK(ready->status == 200);
    server.process.kill_with(SIGTERM);
    CHECK(server.process.wait() == 0);
  }

  herald::storage::store_options o;
  o.path = data;
  o.read_only = true;
  auto store = herald::storage::rocksdb_event_store::open(o);
  REQUIRE(store);
  std::map<std::string, int> stored;
  REQUIRE((*store)->scan({}, [&](const herald::storage::stored_event& e) {
    ++stored[e.event.id];
    return true;
  }));
  std::cout << "crash test: " << iterations << " kills, " << acked.size() << " events acknowledged, "
            << stored.size() << " stored, " << attempted_batches << " batches attempted" << std::endl;
  REQUIRE(acked.size() >= static_cast<std::size_t>(iterations) * 2 * batch_size);
  std::size_t missing = 0;
  for (const auto& id : acked) {
    auto it = stored.find(id);
    if (it == stored.end()) {
      ++missing;
    }
  }
  CHECK(missing == 0);
  std::size_t doubled = 0;
  for (const auto& [id, count] : stored) {
    doubled += count > 1;
  }
  CHECK(doubled == 0);
}
