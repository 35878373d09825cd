#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>

#include "storage/rocksdb_event_store.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/events.hpp"
#include "tests/support/temp_dir.hpp"

using namespace herald::storage;
using herald::test::make_event;
using herald::test::temp_dir;

namespace {

// A store whose files consult `faults`; `adjust` changes its other options.
std::unique_ptr<rocksdb_event_store> open_faulty(const std::string& path, std::shared_ptr<storage_faults> faults,
                                                 const std::function<void(store_options&)>& adjust = {}) {
  store_options o;
  o.path = path;
  o.faults = std::move(faults);
  if (adjust) adjust(o);
  auto s = rocksdb_event_store::open(o);
  REQUIRE(s);
  return std::move(*s);
}

// Releases held fsyncs as a test ends, passed or failed: the store's close
// would wait on them.
struct release_syncs_on_exit {
  storage_faults& faults;
  ~release_syncs_on_exit() {
    faults.hold_syncs(false);
    faults.hold_table_syncs(false);
  }
};

std::vector<std::string> ids_in(const rocksdb_event_store& store) {
  std::vector<std::string> ids;
  REQUIRE(store.scan({}, [&](const stored_event& e) {
    ids.push_back(e.event.id);
    return true;
  }));
  return ids;
}

}  // namespace

TEST_CASE("a failing disk fails the append whole, and writes go on once it clears", "[storage][faults]") {
  const auto fault = GENERATE(storage_fault::write_error, storage_fault::sync_error, storage_fault::no_space);
  INFO(storage_fault_name(fault));
  temp_dir dir;
  auto faults = std::make_shared<storage_faults>();
  {
    auto store = open_faulty(dir.str(), faults);
    REQUIRE(store->append({make_event("a"), make_event("b")}));

    faults->set(fault);
    auto failed = store->append({make_event("c"), make_event("d")});
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code() == herald::errc::unavailable);  // the API's 503
    // While the disk still fails, so does every later append.
    CHECK_FALSE(store->append({make_event("e")}));
    CHECK(store->last_seq() == 2);

    faults->set(storage_fault::none);
    auto resumed = store->append({make_event("c"), make_event("d")});
    REQUIRE(resumed);
    CHECK(resumed->accepted == 2);  // "c" and "d" were not half stored: not duplicates
    CHECK(resumed->first_seq == 3);  // no hole in the sequence
    CHECK(ids_in(*store) == std::vector<std::string>{"a", "b", "c", "d"});
  }
  // What was acknowledged is there after a restart, and nothing else.
  auto reopened = open_faulty(dir.str(), faults);
  CHECK(ids_in(*reopened) == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(reopened->append({make_event("e")})->first_seq == 5);
}

TEST_CASE("a corrupted data folder is refused with a message naming it", "[storage][faults]") {
  temp_dir dir;
  {
    store_options o;
    o.path = dir.str();
    auto store = rocksdb_event_store::open(o);
    REQUIRE(store);
    REQUIRE((*store)->append({make_event("a")}));
  }
  // CURRENT names the manifest; garbage there is what a torn copy leaves.
  std::ofstream(dir.path() / "CURRENT", std::ios::trunc) << "MANIFEST-999999\n";
  store_options o;
  o.path = dir.str();
  auto broken = rocksdb_event_store::open(o);
  REQUIRE_FALSE(broken);
  CHECK(broken.error().message().find(dir.str()) != std::string::npos);
}

TEST_CASE("storage fault names parse, and unknown ones are refused", "[storage][faults]") {
  CHECK(*parse_storage_fault("no_space") == storage_fault::no_space);
  CHECK(*parse_storage_fault("none") == storage_fault::none);
  auto bad = parse_storage_fault("meteor");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().field() == "storage");
}

TEST_CASE("a chain's appends after one that failed fail too, though the disk works again", "[storage][faults]") {
  temp_dir dir;
  auto faults = std::make_shared<storage_faults>();
  auto store = open_faulty(dir.str(), faults);
  auto append = [&store](const char* id, std::shared_ptr<append_chain> chain) {
    std::promise<herald::result<append_outcome>> done;
    auto batch = std::make_shared<const std::vector<herald::domain::cloud_event>>(std::vector{make_event(id)});
    store->append_async(
        herald::domain::event_kind::cloud_event, batch,
        [&done](herald::result<append_outcome> r) { done.set_value(std::move(r)); }, std::move(chain));
    return done.get_future().get();
  };
  auto steps = std::make_shared<append_chain>();
  REQUIRE(append("a", steps));

  faults->set(storage_fault::write_error);
  CHECK_FALSE(append("b", steps));
  faults->set(storage_fault::none);
  // Written after the failure was known: "c" builds on "b", which is not there.
  auto refused = append("c", steps);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == herald::errc::unavailable);
  // Other writers, and a new chain, go on.
  CHECK(append("d", nullptr));
  CHECK(append("e", std::make_shared<append_chain>()));
  CHECK(ids_in(*store) == std::vector<std::string>{"a", "d", "e"});
}

TEST_CASE("appends made while a group is written go into one next group, not two", "[storage][group-commit]") {
  temp_dir dir;
  auto faults = std::make_shared<storage_faults>();
  auto store = open_faulty(dir.str(), faults);
  release_syncs_on_exit release{*faults};
  std::vector<std::promise<bool>> done(4);
  auto append = [&](int i, const char* id) {
    auto batch = std::make_shared<const std::vector<herald::domain::cloud_event>>(std::vector{make_event(id)});
    store->append_async(batch, [&done, i](herald::result<append_outcome> r) { done[i].set_value(r.has_value()); });
  };
  const auto commits_before = store->stats().commits;
  faults->hold_syncs(true);  // a slow disk
  append(0, "a");
  // Until a's group is in its fsync.
  (void)herald::test::eventually([&] { return faults->syncs_waiting() > 0; });
  REQUIRE(faults->syncs_waiting() == 1);
  append(1, "b");  // queued once append_async returns
  append(2, "c");
  append(3, "d");
  faults->hold_syncs(false);
  for (auto& d : done) CHECK(d.get_future().get());
  // b, c and d waited for a's commit and their own, not for a group between.
  CHECK(store->stats().commits == commits_before + 2);
  CHECK(ids_in(*store) == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("with fsync on an interval, appends are written at once, without waiting for an fsync",
          "[storage][group-commit]") {
  temp_dir dir;
  auto faults = std::make_shared<storage_faults>();
  auto store = open_faulty(dir.str(), faults, [](store_options& o) {
    o.sync = herald::domain::sync_policy::interval;
    o.sync_interval_ms = 60000;  // longer than the test: nothing may wait for it
  });
  faults->hold_syncs(true);  // an fsync would stall: the appends must not need one
  release_syncs_on_exit release{*faults};
  for (const char* id : {"a", "b", "c"}) {
    std::promise<bool> done;
    auto batch = std::make_shared<const std::vector<herald::domain::cloud_event>>(std::vector{make_event(id)});
    store->append_async(batch, [&done](herald::result<append_outcome> r) { done.set_value(r.has_value()); });
    auto written = done.get_future();
    REQUIRE(written.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(written.get());
  }
  CHECK(faults->syncs_waiting() == 0);
  CHECK(ids_in(*store) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("writes RocksDB stops behind a held flush are counted and timed, and every append lands",
          "[storage][faults][stalls]") {
  temp_dir dir;
  auto faults = std::make_shared<storage_faults>();
  auto store = open_faulty(dir.str(), faults, [](store_options& o) {
    o.memtable_budget_bytes = 16u << 20;  // 4 MiB memtables, three per family
  });
  release_syncs_on_exit release{*faults};
  faults->hold_table_syncs(true);  // flushes cannot finish; the log's fsyncs go on

  // 24 MiB for the log family: past its three memtables, so RocksDB stops
  // every write until a flush finishes.
  const std::string big(64u << 10, 'x');
  constexpr int appends = 384;
  std::vector<std::promise<bool>> done(appends);
  for (int i = 0; i < appends; ++i) {
    auto batch = std::make_shared<const std::vector<herald::domain::cloud_event>>(std::vector{
        make_event("big-" + std::to_string(i), "Delegate/d-1", "delegate.saved", R"({"label":")" + big + R"("})")});
    store->append_async(batch, [&done, i](herald::result<append_outcome> r) { done[i].set_value(r.has_value()); });
  }
  // While RocksDB stops writes the store says so.
  REQUIRE(herald::test::eventually([&] { return store->write_stalls().stopped_now; }));
  CHECK(store->write_stalls().stops >= 1);
  CHECK(store->last_seq() > 0);          // the log's own fsyncs went on until then
  CHECK(store->last_seq() < appends);    // the stop holds appends back

  faults->hold_table_syncs(false);
  for (auto& d : done) CHECK(d.get_future().get());
  CHECK(store->last_seq() == appends);
  const auto after = store->write_stalls();
  CHECK_FALSE(after.stopped_now);
  CHECK(after.stops >= 1);
  // The committer's write waited in the stop from when it began until the
  // flush finished: counted once that wait ended.
  CHECK(after.seconds > 0);

  // A failed write makes the committer reopen RocksDB, whose counters start
  // again: the store's stay counters.
  faults->set(storage_fault::write_error);
  REQUIRE_FALSE(store->append({make_event("failed")}));
  faults->set(storage_fault::none);
  REQUIRE(store->append({make_event("after-reopen")}));
  const auto reopened = store->write_stalls();
  CHECK(reopened.stops >= after.stops);
  CHECK(reopened.seconds >= after.seconds);
  CHECK_FALSE(reopened.stopped_now);
}
