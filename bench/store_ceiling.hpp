#pragma once
// Herald's store alone writing what a measured run wrote: every log record
// of that run appended again to a fresh store, as the pipeline appended
// them (source events a hundred at a time, each engine record on its own),
// with the facts the engine hands over computed beforehand, so the store
// projects every view and index as it does live. No actor, rule or
// template runs. What it measures is the ceiling the workflow engine works
// under: the raw ceiling (raw_ceiling.hpp) writes one key per
// communication, where the store writes the log records and every view and
// index entry SPEC §6 queries need (17 keys a communication).

#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/engine_facts.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::bench {

// Records of `from` (the measured run's store) in log order, engine records
// with their facts, grouped into the appends the pipeline made.
struct recorded_append {
  domain::event_kind kind = domain::event_kind::cloud_event;
  storage::event_batch events;
};

inline std::vector<recorded_append> appends_of(const storage::rocksdb_event_store& from, std::uint64_t first_seq) {
  std::vector<recorded_append> appends;
  std::vector<domain::cloud_event> source_events;
  auto flush_source_events = [&] {
    if (source_events.empty()) return;
    appends.push_back({domain::event_kind::cloud_event,
                       std::make_shared<const std::vector<domain::cloud_event>>(std::move(source_events))});
    source_events.clear();
  };
  storage::scan_filter filter;
  filter.from_seq = first_seq;
  (void)from.scan(filter, [&](const storage::stored_event& e) {
    if (e.kind != domain::event_kind::engine_event) {
      source_events.push_back(e.event);
      if (source_events.size() == 100) flush_source_events();
      return true;
    }
    flush_source_events();
    domain::cloud_event ev = e.event;
    boost::json::error_code ec;
    const boost::json::value data = boost::json::parse(ev.data, ec);
    if (!ec && data.is_object()) {
      if (auto facts = domain::engine_facts_of(ev.type, data.get_object())) {
        ev.facts = std::make_shared<const domain::engine_facts>(std::move(*facts));
      }
    }
    appends.push_back({domain::event_kind::engine_event,
                       std::make_shared<const std::vector<domain::cloud_event>>(1, std::move(ev))});
    return true;
  });
  flush_source_events();
  return appends;
}

struct store_run {
  double seconds = 0;           // from the first append until the last is durable
  std::uint64_t records = 0;    // log records written
  std::uint64_t attempts = 0;   // entries of the log index (one per attempt)
  std::uint64_t refused = 0;    // appends that failed: the run is not a ceiling then
};

// Appends `appends` to a fresh store at `dir` with up to `in_flight`
// appends outstanding (the pipeline has one per busy entity actor; fewer
// than a few thousand leave the committer waiting for work).
inline store_run run_store(const std::string& dir, const std::vector<recorded_append>& appends,
                           std::size_t in_flight = 2000) {
  store_run run;
  storage::store_options so;
  so.path = dir;
  auto opened = storage::rocksdb_event_store::open(so);
  if (!opened) {
    run.refused = appends.size();
    return run;
  }
  auto store = std::move(*opened);
  std::mutex mu;
  std::condition_variable cv;
  std::size_t outstanding = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& a : appends) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return outstanding < in_flight; });
      ++outstanding;
    }
    store->append_async(a.kind, a.events, [&](result<storage::append_outcome> r) {
      std::lock_guard<std::mutex> lock(mu);
      if (!r) ++run.refused;
      --outstanding;
      cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.records = store->last_seq();
  (void)store->scan_index(storage::rocksdb_event_store::index_kind::log, "", "",
                          [&](const std::string&, const std::string&) {
                            ++run.attempts;
                            return true;
                          });
  return run;
}

}  // namespace herald::bench
