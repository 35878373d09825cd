#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <rocksdb/db.h>

#include "domain/communication.hpp"
#include "domain/engine_event.hpp"
#include "storage/entity_reader.hpp"
#include "storage/key_layout.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "tests/support/events.hpp"
#include "tests/support/temp_dir.hpp"

using namespace herald::storage;
using herald::test::delegate_record;
using herald::test::make_event;
using herald::test::temp_dir;

namespace {
std::unique_ptr<rocksdb_event_store> open_store(const std::string& path,
                                                std::function<std::int64_t()> clock = {}) {
  store_options o;
  o.path = path;
  o.clock_ms = std::move(clock);
  auto s = rocksdb_event_store::open(o);
  REQUIRE(s);
  return std::move(*s);
}

// The view of `id`, which must be there, parsed.
boost::json::value parsed_view(const rocksdb_event_store& store, rocksdb_event_store::view_kind kind,
                               const std::string& id) {
  auto text = store.view(kind, id);
  REQUIRE(text);
  REQUIRE(*text);
  return boost::json::parse(**text);
}
}  // namespace

TEST_CASE("appended events get consecutive sequence numbers and read back", "[storage]") {
  temp_dir dir;
  auto store = open_store(dir.str(), [] { return std::int64_t{1795000000000}; });
  auto out = store->append({make_event("a"), make_event("b", "Delegate/d-1", "delegate.saved",
                                                        delegate_record("Booked"))});
  REQUIRE(out);
  CHECK(out->accepted == 2);
  CHECK(out->first_seq == 1);
  CHECK(out->last_seq == 2);
  CHECK(out->seqs == std::vector<std::uint64_t>{1, 2});
  auto e = store->read(2);
  REQUIRE(e);
  CHECK(e->event.id == "b");
  CHECK(e->recorded_at_ms == 1795000000000);
  CHECK(store->read(3).error().code() == herald::errc::not_found);
  CHECK(store->last_seq() == 2);
}

TEST_CASE("the memory RocksDB holds grows with what is appended", "[storage]") {
  temp_dir dir;
  auto store = open_store(dir.str(), [] { return std::int64_t{1795000000000}; });
  const std::uint64_t before = store->memory_bytes();
  std::vector<herald::domain::cloud_event> events;
  for (int i = 0; i < 1000; ++i) {
    events.push_back(make_event("m-" + std::to_string(i), "Delegate/d-" + std::to_string(i), "delegate.saved",
                                delegate_record("Booked")));
  }
  REQUIRE(store->append(std::move(events)));
  // A thousand records with their dedup and history entries, in memtables.
  CHECK(store->memory_bytes() >= before + 1000 * 100);
}

TEST_CASE("re-sent (source, id) pairs are duplicates and change nothing", "[storage]") {
  temp_dir dir;
  auto store = open_store(dir.str());
  REQUIRE(store->append({make_event("a"), make_event("b")})->accepted == 2);
  auto again = store->append({make_event("a"), make_event("c"), make_event("c"),
                              make_event("a", {}, "t", {}, "other-source")});
  REQUIRE(again);
  CHECK(again->accepted == 2);  // "c" once, and "a" from another source
  CHECK(again->duplicates == 2);
  CHECK(again->seqs == std::vector<std::uint64_t>{0, 3, 0, 4});
  CHECK(store->last_seq() == 4);
  CHECK(store->stats().duplicates == 2);
}

TEST_CASE("concurrent appenders share group commits", "[storage][group-commit]") {
  temp_dir dir;
  auto store = open_store(dir.str());
  constexpr int threads = 16, per_thread = 100;
  std::vector<std::thread> workers;
  std::vector<std::vector<std::uint64_t>> seqs(threads);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto out = store->append({make_event(std::to_string(t) + "-" + std::to_string(i))});
        REQUIRE(out);
        seqs[t].push_back(out->first_seq);
      }
    });
  }
  for (auto& w : workers) w.join();
  std::set<std::uint64_t> all;
  for (const auto& s : seqs) {
    CHECK(std::is_sorted(s.begin(), s.end()));  // each appender's order is kept
    all.insert(s.begin(), s.end());
  }
  CHECK(all.size() == threads * per_thread);
  CHECK(*all.begin() == 1);
  CHECK(*all.rbegin() == threads * per_thread);
  const auto stats = store->stats();
  CHECK(stats.events == threads * per_thread);
  INFO("commits: " << stats.commits);
  CHECK(stats.commits < threads * per_thread);  // appends shared WAL writes
}

TEST_CASE("async appends complete in order with one callback each", "[storage][group-commit]") {
  temp_dir dir;
  auto store = open_store(dir.str());
  constexpr int n = 500;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::uint64_t> done;
  for (int i = 0; i < n; ++i) {
    auto batch = std::make_shared<const std::vector<herald::domain::cloud_event>>(
        std::vector{make_event("e" + std::to_string(i))});
    store->append_async(batch, [&](herald::result<append_outcome> r) {
      std::lock_guard<std::mutex> lock(mu);
      done.push_back(r ? r->first_seq : 0);
      cv.notify_one();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done.size() == n; });
  std::vector<std::uint64_t> expected(n);
  std::iota(expected.begin(), expected.end(), 1);
  CHECK(done == expected);
}

TEST_CASE("a group commit stops taking appends at max_group_bytes", "[storage][group-commit]") {
  // Appends queued together, all at once: with the default bound they share
  // group commits; with a bound of one byte each is a group of its own
  // (the first append of a group always goes in, however large).
  for (const std::size_t max_group_bytes : {store_options{}.max_group_bytes, std::size_t{1}}) {
    temp_dir dir;
    store_options o;
    o.path = dir.str();
    o.max_group_bytes = max_group_bytes;
    auto opened = rocksdb_event_store::open(o);
    REQUIRE(opened);
    auto& store = **opened;
    constexpr std::size_t n = 200;
    std::mutex mu;
    std::condition_variable cv;
    std::size_t done = 0;
    for (std::size_t i = 0; i < n; ++i) {
      auto batch = std::make_shared<const std::vector<herald::domain::cloud_event>>(std::vector{make_event(
          "g" + std::to_string(i), "Delegate/d-" + std::to_string(i), "delegate.saved", delegate_record("Booked"))});
      store.append_async(batch, [&](herald::result<append_outcome> r) {
        std::lock_guard<std::mutex> lock(mu);
        if (r) ++done;
        cv.notify_one();
      });
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done == n; });
    const auto stats = store.stats();
    INFO("max_group_bytes " << max_group_bytes << ", commits " << stats.commits);
    CHECK(stats.events == n);
    if (max_group_bytes == 1) {
      CHECK(stats.commits == n);
    } else {
      CHECK(stats.commits < n);
    }
  }
}

TEST_CASE("the store lets go of a committed append's events while it keeps running", "[storage][group-commit]") {
  // The committer hands each written group on to be destroyed by the
  // sequencer, off the thread every durable append waits for; they must
  // still be let go, at the latest while the sequencer prepares the append
  // after next (the committer hands a group on before it takes another).
  temp_dir dir;
  auto store = open_store(dir.str());
  std::mutex mu;
  std::condition_variable cv;
  int completed = 0;
  int failed = 0;  // counted on the committer's thread, checked on this one
  // Appends `batch` and waits for it; the callback also holds `captured`.
  auto append_and_wait = [&](const std::shared_ptr<const std::vector<herald::domain::cloud_event>>& batch,
                             std::shared_ptr<int> captured = {}) {
    const int before = [&] { std::lock_guard<std::mutex> lock(mu); return completed; }();
    store->append_async(batch, [&, captured](herald::result<append_outcome> r) {
      std::lock_guard<std::mutex> lock(mu);
      if (!r) ++failed;
      ++completed;
      cv.notify_one();
    });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return completed == before + 1; });
  };
  auto first = std::make_shared<const std::vector<herald::domain::cloud_event>>(
      std::vector{make_event("first", "Delegate/d-1", "delegate.saved", R"({"label":"A"})")});
  // A callback may hold what must not outlive its caller (an actor's
  // handle): it is let go as soon as it has run, before the next group.
  auto held_by_callback = std::make_shared<int>(0);
  append_and_wait(first, held_by_callback);
  append_and_wait(std::make_shared<const std::vector<herald::domain::cloud_event>>(std::vector{make_event("second")}));
  CHECK(held_by_callback.use_count() == 1);
  append_and_wait(std::make_shared<const std::vector<herald::domain::cloud_event>>(std::vector{make_event("third")}));
  CHECK(failed == 0);
  CHECK(first.use_count() == 1);
}

TEST_CASE("a history reads the same newest-first pages whether it is short or long", "[storage][projections]") {
  temp_dir dir;
  auto store = open_store(dir.str());
  // Neighbours on both sides in key order: reads must stop at the entity's own keys.
  std::vector<herald::domain::cloud_event> events{make_event("a", "Delegate/d-0", "delegate.viewed")};
  for (int i = 0; i < 150; ++i) events.push_back(make_event("e" + std::to_string(i), "Delegate/d-1", "delegate.viewed"));
  events.push_back(make_event("z", "Delegate/d-2", "delegate.viewed"));
  REQUIRE(store->append(events));
  auto check_histories = [](const rocksdb_event_store& store) {
    // Seqs 2..151 are d-1's: read in pages of 40 from the newest, the first
    // pages end beyond 64 entries from the oldest, the last within them.
    std::vector<std::uint64_t> all;
    for (std::uint64_t before = UINT64_MAX;;) {
      auto page = store.history("Delegate/d-1", before, 40);
      REQUIRE(page);
      all.insert(all.end(), page->begin(), page->end());
      if (page->size() < 40) break;
      before = page->back();
    }
    std::vector<std::uint64_t> expected;
    for (std::uint64_t s = 151; s >= 2; --s) expected.push_back(s);
    CHECK(all == expected);
    CHECK(*store.history("Delegate/d-1", 10, 3) == std::vector<std::uint64_t>{9, 8, 7});
    CHECK(*store.history("Delegate/d-1", 100, 2) == std::vector<std::uint64_t>{99, 98});
    CHECK(*store.history("Delegate/d-0", UINT64_MAX, 5) == std::vector<std::uint64_t>{1});
    CHECK(*store.history("Delegate/d-2", UINT64_MAX, 5) == std::vector<std::uint64_t>{152});
    CHECK(store.history("Delegate/d-3", UINT64_MAX, 5)->empty());
    CHECK(store.history("Delegate/d", UINT64_MAX, 5)->empty());
    // Read whole, the column holds every entity's entries.
    CHECK(store.dump_column(cf_entity_history)->size() == 152);
  };
  check_histories(*store);
  // Reopened, the entries are in table files (recovery flushes the
  // memtables): the same pages, read across files rather than a memtable.
  store.reset();
  store = open_store(dir.str());
  check_histories(*store);
}

namespace {

// The store, counting the records read one by one.
class counting_store final : public event_store {
 public:
  explicit counting_store(const rocksdb_event_store& store) : store_(store) {}
  void append_async(herald::domain::event_kind, event_batch, append_callback done,
                    std::shared_ptr<append_chain>) override {
    done(herald::status{herald::errc::invalid_argument, "read only"});
  }
  herald::result<stored_event> read(std::uint64_t seq) const override {
    ++reads;
    return store_.read(seq);
  }
  herald::status scan(const scan_filter& f, const std::function<bool(const stored_event&)>& visit) const override {
    return store_.scan(f, visit);
  }
  herald::result<std::vector<history_entry>> history_entries(const std::string& key, std::uint64_t before,
                                                     std::size_t limit) const override {
    return store_.history_entries(key, before, limit);
  }
  std::uint64_t last_seq() const override { return store_.last_seq(); }
  store_stats stats() const override { return store_.stats(); }
  mutable std::size_t reads = 0;

 private:
  const rocksdb_event_store& store_;
};

}  // namespace

TEST_CASE("an entity's snapshot reads the events its source sent, not the ones Herald wrote between them",
          "[storage][projections]") {
  temp_dir dir;
  auto store = open_store(dir.str());
  REQUIRE(store->append({make_event("1", "Delegate/d-1", "delegate.saved", delegate_record("Booked"))}));
  // Herald's own records about the entity (an entity with communications
  // has three per communication in its history).
  std::vector<herald::domain::cloud_event> engine;
  for (int i = 0; i < 40; ++i) {
    engine.push_back(herald::domain::engine::make_unique_event("herald.test.noted", "Delegate/d-1", "{}",
                                                               "2026-11-23T10:00:00Z"));
  }
  REQUIRE(store->append(engine, herald::domain::event_kind::engine_event));
  REQUIRE(store->append({make_event("2", "Delegate/d-1", "delegate.saved", delegate_record("Cancelled"))}));

  counting_store counted(*store);
  auto snap = read_entity(counted, "Delegate/d-1");
  REQUIRE(snap);
  REQUIRE(*snap);
  CHECK((*snap)->last_seq == 42);
  CHECK((*snap)->data_seq == 42);
  CHECK((*snap)->changed_fields == std::vector<std::string>{"Status"});
  CHECK((*snap)->previous_record_json == delegate_record("Booked"));
  CHECK_FALSE((*snap)->no_engine_history);
  // The history says which records are Herald's: only the two the source
  // sent are read (42 without it).
  CHECK(counted.reads == 2);
  auto kinds = store->history_entries("Delegate/d-1", UINT64_MAX, 3);
  REQUIRE(kinds);
  REQUIRE(kinds->size() == 3);
  CHECK((*kinds)[0].kind == herald::domain::event_kind::cloud_event);
  CHECK((*kinds)[1].kind == herald::domain::event_kind::engine_event);

  // The event an actor is spawned for is in the caller's hands: it is
  // taken from there, not read again, and the snapshot is the same.
  const auto newest = store->read(42);
  REQUIRE(newest);
  counted.reads = 0;
  auto known = read_entity(counted, "Delegate/d-1", herald::storage::known_event{42, &newest->event});
  REQUIRE(known);
  REQUIRE(*known);
  CHECK(counted.reads == 1);
  CHECK((*known)->last_seq == 42);
  CHECK((*known)->record_json == (*snap)->record_json);
  CHECK((*known)->changed_fields == std::vector<std::string>{"Status"});
  CHECK((*known)->previous_record_json == delegate_record("Booked"));
}

TEST_CASE("an entity's state follows its history", "[storage][projections]") {
  temp_dir dir;
  auto store = open_store(dir.str());
  REQUIRE(store->append({make_event("1", "Delegate/d-1", "delegate.saved", delegate_record("Booked")),
                         make_event("2", "Delegate/d-2", "delegate.saved", delegate_record("Booked")),
                         make_event("3", "Delegate/d-1", "delegate.viewed"),
                         make_event("4", "Delegate/d-1", "delegate.saved", delegate_record("Cancelled"))}));
  CHECK(*store->history("Delegate/d-1", UINT64_MAX, 10) == std::vector<std::uint64_t>{4, 3, 1});
  CHECK(*store->history("Delegate/d-1", 4, 1) == std::vector<std::uint64_t>{3});
  CHECK(store->history("Delegate/d-1", 1, 10)->empty());
  auto snap = read_entity(*store, "Delegate/d-1");
  REQUIRE(snap);
  REQUIRE(*snap);
  CHECK((*snap)->last_seq == 4);
  CHECK((*snap)->data_seq == 4);
  CHECK_FALSE((*snap)->deleted);
  CHECK((*snap)->changed_fields == std::vector<std::string>{"Status"});
  // Parsed once for its readers, with the record before it (as
  // read_record_before(data_seq) answers).
  REQUIRE((*snap)->record);
  CHECK((*snap)->record->fields.at("Status") == "Cancelled");
  CHECK((*snap)->previous_record_json == delegate_record("Booked"));
  CHECK((*snap)->previous_record_json == **read_record_before(*store, "Delegate/d-1", 4));
  auto first = read_entity(*store, "Delegate/d-2");
  CHECK((*first)->previous_record_json.empty());  // nothing before its first record
  // Nothing Herald wrote about it yet: an actor has no engine state to restore.
  CHECK((*first)->no_engine_history);

  REQUIRE(store->append({make_event("5", "Delegate/d-1", "delegate.deleted")}));
  snap = read_entity(*store, "Delegate/d-1");
  CHECK((*snap)->deleted);
  CHECK((*snap)->last_seq == 5);
  CHECK((*snap)->data_seq == 4);  // the last record stays readable
  CHECK((*snap)->changed_fields == std::vector<std::string>{"Status"});
  CHECK_FALSE(*read_entity(*store, "Delegate/none"));

  // Once Herald wrote about it (here its links), there is engine state.
  namespace engine = herald::domain::engine;
  REQUIRE(store->append({engine::make_event(engine::links_updated, "links-2", "Delegate/d-2",
                                            R"({"links":{"User":"User/u-1"}})", "2026-11-23T10:00:00.000Z")},
                        herald::domain::event_kind::engine_event));
  CHECK_FALSE((*read_entity(*store, "Delegate/d-2"))->no_engine_history);
}

TEST_CASE("an entity with a long history finds its records across pages", "[storage][projections]") {
  temp_dir dir;
  auto store = open_store(dir.str());
  std::vector<herald::domain::cloud_event> events{
      make_event("r1", "Account/a-1", "account.saved", R"({"label":"Old"})")};
  for (int i = 0; i < 40; ++i) {
    events.push_back(make_event("v" + std::to_string(i), "Account/a-1", "account.viewed"));
  }
  events.push_back(make_event("r2", "Account/a-1", "account.saved", R"({"label":"New"})"));
  for (int i = 0; i < 40; ++i) {
    events.push_back(make_event("w" + std::to_string(i), "Account/a-1", "account.viewed"));
  }
  REQUIRE(store->append(std::move(events)));
  auto snap = read_entity(*store, "Account/a-1");
  REQUIRE(*snap);
  CHECK((*snap)->last_seq == 82);
  CHECK((*snap)->data_seq == 42);
  CHECK((*snap)->record_json == R"({"label":"New"})");
  CHECK((*snap)->changed_fields == std::vector<std::string>{"label"});
}

TEST_CASE("a reopened store keeps its events and continues the sequence", "[storage][durability]") {
  temp_dir dir;
  {
    auto store = open_store(dir.str());
    REQUIRE(store->append({make_event("a"), make_event("b")}));
  }
  auto store = open_store(dir.str());
  CHECK(store->last_seq() == 2);
  CHECK(store->append({make_event("b")})->duplicates == 1);
  CHECK(store->append({make_event("c")})->first_seq == 3);
}

TEST_CASE("a data folder is refused when foreign, held or missing for reading", "[storage]") {
  temp_dir dir;
  herald::test::write_file(dir.path() / "notes.txt", "not a store");
  store_options o;
  o.path = dir.str();
  auto foreign = rocksdb_event_store::open(o);
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().message().find("holds no Herald store") != std::string::npos);

  o.path = dir.sub("store");
  auto first = rocksdb_event_store::open(o);
  REQUIRE(first);
  auto second = rocksdb_event_store::open(o);
  REQUIRE_FALSE(second);
  CHECK(second.error().code() == herald::errc::busy);

  store_options ro;
  ro.path = dir.sub("store");
  ro.read_only = true;
  auto reader = rocksdb_event_store::open(ro);  // export works beside a running server
  REQUIRE(reader);
  CHECK((*reader)->append({make_event("x")}).error().code() == herald::errc::unavailable);

  ro.path = dir.sub("absent");
  CHECK(rocksdb_event_store::open(ro).error().code() == herald::errc::not_found);
}

TEST_CASE("an upgraded store lets go of the families no version reads now, once opened for writing",
          "[storage]") {
  temp_dir dir;
  auto options = [&](bool read_only) {
    store_options o;
    o.path = dir.str();
    o.read_only = read_only;
    return o;
  };
  { REQUIRE(rocksdb_event_store::open(options(false))); }  // a store of today
  // What an older version left: one of its families, with an entry.
  {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.str(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), dir.str(), descriptors, &handles, &raw).ok());
    rocksdb::ColumnFamilyHandle* retired = nullptr;
    REQUIRE(raw->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "communication_index", &retired).ok());
    REQUIRE(raw->Put(rocksdb::WriteOptions(), retired, "k", "").ok());
    handles.push_back(retired);
    for (auto* h : handles) REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
    delete raw;
  }
  auto families = [&] {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.str(), &names).ok());
    return std::set<std::string>(names.begin(), names.end());
  };
  { REQUIRE(rocksdb_event_store::open(options(true))); }  // a reader changes nothing
  CHECK(families().count("communication_index") == 1);
  {
    auto store = rocksdb_event_store::open(options(false));
    REQUIRE(store);
    CHECK((*store)->append({make_event("after")}));
  }
  CHECK(families().count("communication_index") == 0);
  CHECK(families().count(cf_log_index) == 1);
}

TEST_CASE("scan filters by sequence, time and entity", "[storage]") {
  temp_dir dir;
  std::atomic<std::int64_t> now{1000};
  auto store = open_store(dir.str(), [&] { return now.load(); });
  REQUIRE(store->append({make_event("1", "A/1"), make_event("2", "A/2")}));
  now = 2000;
  REQUIRE(store->append({make_event("3", "A/1"), make_event("4")}));
  auto ids = [&](scan_filter f) {
    std::vector<std::string> out;
    REQUIRE(store->scan(f, [&](const stored_event& e) {
      out.push_back(e.event.id);
      return true;
    }));
    return out;
  };
  CHECK(ids({}) == std::vector<std::string>{"1", "2", "3", "4"});
  scan_filter range;
  range.from_seq = 2;
  range.to_seq = 3;
  CHECK(ids(range) == std::vector<std::string>{"2", "3"});
  scan_filter time;
  time.from_ms = 2000;
  CHECK(ids(time) == std::vector<std::string>{"3", "4"});
  scan_filter entity;
  entity.entity = "A/1";
  CHECK(ids(entity) == std::vector<std::string>{"1", "3"});
}

TEST_CASE("a communication read from its record gets back what it left to the attempt carried with it",
          "[storage][projections]") {
  namespace engine = herald::domain::engine;
  temp_dir dir;
  auto store = open_store(dir.path());
  const std::string attempt = R"({"id":"c-1.1","communication_id":"c-1","status":"queued","mapped_to":"Delegate/d-1",)"
                              R"("channel":"email","subject":"Hello","recipient":{"key":"User/u-1","email":"u@example.com"},)"
                              R"("created_at":"2026-11-23T10:00:00.000Z"})";
  const std::string comm = R"({"id":"c-1","topic":"w/0","subject":"First","attempts":1,)"
                           R"("last_attempt_at":"2026-11-23T10:00:00.000Z"})";
  REQUIRE(store->append({engine::make_event(engine::attempt_updated, "e-1", "Delegate/d-1",
                                            R"({"attempt":)" + attempt + R"(,"communication":)" + comm +
                                                R"(,"content":{"attachments":[]}})",
                                            "2026-11-23T10:00:00.000Z")},
                        herald::domain::event_kind::engine_event));
  auto text = store->view(rocksdb_event_store::view_kind::communication, "c-1");
  REQUIRE(text);
  REQUIRE(*text);
  const auto v = boost::json::parse(**text);
  CHECK(v.at("mapped_to") == "Delegate/d-1");
  CHECK(v.at("channel") == "email");
  CHECK(v.at("latest_attempt_id") == "c-1.1");
  CHECK(v.at("latest_status") == "queued");
  CHECK(v.at("recipient").at("email") == "u@example.com");
  CHECK(v.at("subject") == "First");  // its own, not the attempt's
  CHECK(v.at("topic") == "w/0");
}

TEST_CASE("engine views refer to the event that carries them, written once", "[storage][projections]") {
  namespace engine = herald::domain::engine;
  temp_dir dir;
  auto store = open_store(dir.path());
  const std::string attempt = R"({"id":"c-1.1","communication_id":"c-1","status":"queued","mapped_to":"Delegate/d-1",)"
                              R"("channel":"email","created_at":"2026-11-23T10:00:00.000Z"})";
  // Written whole, as before communications left what they share to the
  // attempt they are written with: nothing of it is filled in.
  const std::string comm = R"({"id":"c-1","mapped_to":"Delegate/d-1","latest_status":"queued","channel":"sms",)"
                           R"("latest_attempt_id":"c-1.1","last_attempt_at":"2026-11-23T10:00:00.000Z"})";
  const std::string content = R"({"subject":"Hello","text":"Hi","attachments":[]})";
  auto first = store->append({engine::make_event(engine::attempt_updated, "e-1", "Delegate/d-1",
                                                 R"({"attempt":)" + attempt + R"(,"communication":)" + comm +
                                                     R"(,"content":)" + content + "}",
                                                 "2026-11-23T10:00:00.000Z")},
                             herald::domain::event_kind::engine_event);
  REQUIRE(first);
  using view = rocksdb_event_store::view_kind;
  auto parsed = [&](view kind, const std::string& id) { return parsed_view(*store, kind, id); };
  CHECK(parsed(view::attempt, "c-1.1") == boost::json::parse(attempt));
  CHECK(parsed(view::communication, "c-1") == boost::json::parse(comm));
  CHECK(parsed(view::attempt_content, "c-1.1") == boost::json::parse(content));
  // The view column holds a 9-byte reference, not a second copy.
  auto attempts = store->dump_column(cf_attempts);
  REQUIRE(attempts);
  REQUIRE(attempts->size() == 1);
  CHECK(view_ref_seq(attempts->at(0).second) == first->first_seq);

  // A later state of the attempt (a status update carries the attempt
  // alone): the view follows it, the content stays with the event that
  // carried it, and the communication's latest status is its latest
  // attempt's.
  std::string sent = attempt;
  sent.replace(sent.find("queued"), 6, "sent");
  REQUIRE(store->append({engine::make_event(engine::attempt_updated, "e-2", "Delegate/d-1", R"({"attempt":)" + sent + "}",
                                            "2026-11-23T10:00:01.000Z")},
                        herald::domain::event_kind::engine_event));
  CHECK(parsed(view::attempt, "c-1.1").at("status") == "sent");
  CHECK(parsed(view::attempt_content, "c-1.1").at("subject") == "Hello");
  auto latest = parsed(view::communication, "c-1");
  CHECK(latest.at("latest_status") == "sent");
  latest.as_object()["latest_status"] = "queued";
  CHECK(latest == boost::json::parse(comm));  // nothing else of it changed
  // The indexes were written with the attempt; the status update kept them.
  for (const char* index : {cf_log_index, cf_entity_log_index}) {
    CHECK(store->dump_column(index)->size() == 1);
  }
  std::size_t listed = 0;
  REQUIRE(store->scan_index(rocksdb_event_store::index_kind::log, "", "", [&](const std::string& id, const std::string&) {
    CHECK(id == "c-1.1");
    return ++listed < 10;
  }));
  CHECK(listed == 1);
}

TEST_CASE("communications are listed newest first by their latest attempt, each once, page by page",
          "[storage][projections]") {
  namespace engine = herald::domain::engine;
  temp_dir dir;
  auto store = open_store(dir.path());
  // A new attempt as the engine writes it: the communication carried with it.
  auto attempt = [&](const std::string& comm, int n, const std::string& entity, const std::string& at) {
    const std::string id = comm + "." + std::to_string(n);
    const std::string data = R"({"attempt":{"id":")" + id + R"(","communication_id":")" + comm +
                             R"(","status":"queued","mapped_to":")" + entity + R"(","channel":"email","created_at":")" +
                             at + R"("},"communication":{"id":")" + comm + R"(","topic":"w/0","attempts":)" +
                             std::to_string(n) + R"(,"last_attempt_at":")" + at +
                             R"("},"content":{"attachments":[]}})";
    REQUIRE(store->append({engine::make_unique_event(engine::attempt_updated, entity, data, at)},
                          herald::domain::event_kind::engine_event));
  };
  // Ids in another order than time, as the engine's hashed ids are.
  attempt("c-a", 1, "Delegate/d-1", "2026-11-23T10:00:00.000Z");
  attempt("c-b", 1, "Delegate/d-1", "2026-11-23T10:01:00.000Z");
  attempt("c-c", 1, "Delegate/d-2", "2026-11-23T10:02:00.000Z");
  attempt("c-d", 1, "Delegate/d-1", "2026-11-23T10:03:00.000Z");
  attempt("c-a", 2, "Delegate/d-1", "2026-11-23T10:04:00.000Z");  // a resend: c-a is the newest now

  // One page of `size` after `cursor`: the ids and the cursor after the last.
  auto page = [&](const std::string& entity, const std::string& cursor, std::size_t size) {
    std::pair<std::vector<std::string>, std::string> out;
    REQUIRE(store->scan_communications(entity, cursor,
                                       [&](const std::string& id, boost::json::value view, const std::string& next) {
                                         CHECK(view.at("id").as_string() == id.c_str());
                                         out.first.push_back(id);
                                         out.second = next;
                                         return out.first.size() < size;
                                       }));
    return out;
  };
  using ids = std::vector<std::string>;
  CHECK(page("", "", 10).first == ids{"c-a", "c-d", "c-c", "c-b"});
  CHECK(page("Delegate/d-1", "", 10).first == ids{"c-a", "c-d", "c-b"});
  CHECK(page("Delegate/d-2", "", 10).first == ids{"c-c"});
  CHECK(page("Delegate/none", "", 10).first.empty());
  // Page by page, one at a time: c-a's first attempt, older than c-b's,
  // does not list it a second time.
  ids paged;
  std::string cursor;
  for (int i = 0; i < 10; ++i) {
    auto [got, next] = page("Delegate/d-1", cursor, 1);
    if (got.empty()) break;
    paged.insert(paged.end(), got.begin(), got.end());
    cursor = next;
  }
  CHECK(paged == ids{"c-a", "c-d", "c-b"});
  CHECK(herald::domain::communication_of_attempt("c-3920251264c019d51c02.12") == "c-3920251264c019d51c02");
  CHECK(herald::domain::communication_of_attempt("no-number").empty());
  CHECK(herald::domain::communication_of_attempt("c-1.x").empty());
}

TEST_CASE("attempts are indexed by the status groups they reach, and a group's list walks its own",
          "[storage][projections]") {
  namespace engine = herald::domain::engine;
  temp_dir dir;
  auto store = open_store(dir.path());
  // A new attempt with its communication, then its later statuses.
  auto attempt = [&](const std::string& comm, const std::string& status, const std::string& at) {
    const std::string data = R"({"attempt":{"id":")" + comm + R"(.1","communication_id":")" + comm +
                             R"(","status":")" + status + R"(","mapped_to":"Delegate/d-1","channel":"email",)"
                             R"("created_at":")" + at + R"("},"communication":{"id":")" + comm +
                             R"(","topic":"w/0","attempts":1,"last_attempt_at":")" + at + R"("},"content":{"attachments":[]}})";
    REQUIRE(store->append({engine::make_unique_event(engine::attempt_updated, "Delegate/d-1", data, at)},
                          herald::domain::event_kind::engine_event));
  };
  auto update = [&](const std::string& comm, const std::string& status, const std::string& created_at) {
    const std::string data = R"({"attempt":{"id":")" + comm + R"(.1","communication_id":")" + comm +
                             R"(","status":")" + status + R"(","mapped_to":"Delegate/d-1","channel":"email",)"
                             R"("created_at":")" + created_at + R"("}})";
    REQUIRE(store->append({engine::make_unique_event(engine::attempt_updated, "Delegate/d-1", data, created_at)},
                          herald::domain::event_kind::engine_event));
  };
  attempt("c-a", "queued", "2026-11-23T10:00:00.000Z");
  attempt("c-b", "queued", "2026-11-23T10:01:00.000Z");
  attempt("c-c", "queued", "2026-11-23T10:02:00.000Z");
  attempt("c-d", "not_sent", "2026-11-23T10:03:00.000Z");
  attempt("c-e", "queued", "2026-11-23T10:04:00.000Z");
  update("c-a", "bounced", "2026-11-23T10:00:00.000Z");
  update("c-b", "sent", "2026-11-23T10:01:00.000Z");
  update("c-b", "delivered", "2026-11-23T10:01:00.000Z");  // the same group: the same entry
  update("c-e", "failed", "2026-11-23T10:04:00.000Z");
  using ids = std::vector<std::string>;
  auto listed = [&](const std::string& group, const std::string& cursor = "") {
    ids out;
    auto st = store->scan_index(rocksdb_event_store::index_kind::status_group, group, cursor,
                                [&](const std::string& id, const std::string&) {
                                  out.push_back(id);
                                  return true;
                                });
    REQUIRE(st);
    return out;
  };
  CHECK(listed("failed") == ids{"c-e.1", "c-a.1"});  // newest first
  CHECK(listed("bounced") == listed("failed"));      // a status names its group
  CHECK(listed("completed") == ids{"c-b.1"});
  CHECK(listed("not_sent") == ids{"c-d.1"});         // c-c, still queued, is in none
  CHECK(store->dump_column(cf_status_log_index)->size() == 4);
  for (const char* none : {"all", "queued", "nonsense"}) {
    auto st = store->scan_index(rocksdb_event_store::index_kind::status_group, none, "",
                                [](const std::string&, const std::string&) { return true; });
    CHECK(st.field() == "status");
  }
  // A cursor of one group's list is not another's.
  std::string cursor;
  REQUIRE(store->scan_index(rocksdb_event_store::index_kind::status_group, "failed", "",
                            [&](const std::string&, const std::string& next) {
                              cursor = next;
                              return false;
                            }));
  CHECK(listed("failed", cursor) == ids{"c-a.1"});
  CHECK(store->scan_index(rocksdb_event_store::index_kind::status_group, "completed", cursor,
                          [](const std::string&, const std::string&) { return true; })
            .field() == "cursor");
  // Communications by the group their latest attempt reached.
  ids comms;
  REQUIRE(store->scan_communications(
      "", "",
      [&](const std::string& id, boost::json::value, const std::string&) {
        comms.push_back(id);
        return true;
      },
      "failed"));
  CHECK(comms == ids{"c-e", "c-a"});

  // A store made before the index: its attempts are indexed at the next
  // writable open.
  store.reset();
  {
    rocksdb::DBOptions o;
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(o, dir.path(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> columns;
    for (const auto& n : names) columns.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(o, dir.path(), columns, &handles, &raw).ok());
    for (auto* h : handles) {
      if (h->GetName() == "default") REQUIRE(raw->Delete(rocksdb::WriteOptions(), h, meta_status_index_key).ok());
      if (h->GetName() == cf_status_log_index) REQUIRE(raw->DropColumnFamily(h).ok());
    }
    for (auto* h : handles) REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
    delete raw;
  }
  store = open_store(dir.path());
  CHECK(store->dump_column(cf_status_log_index)->size() == 4);
  CHECK(listed("failed") == ids{"c-e.1", "c-a.1"});
  CHECK(listed("completed") == ids{"c-b.1"});
}

TEST_CASE("attachments are purged whether their record is found by seq or by its dedup entry",
          "[storage][retention]") {
  namespace engine = herald::domain::engine;
  temp_dir dir;
  auto store = open_store(dir.path());
  auto attempt_event = [](const std::string& attempt_id, bool unique) {
    const std::string data = R"({"attempt":{"id":")" + attempt_id +
                             R"(","status":"queued","mapped_to":"Delegate/d-1","channel":"email",)"
                             R"("created_at":"2026-11-23T10:00:00.000Z"},"communication":{"id":"c-)" +
                             attempt_id + R"(","last_attempt_at":"2026-11-23T10:00:00.000Z"},)"
                             R"("content":{"subject":"S","attachments":[{"name":"a.txt","content_type":"text/plain","body":"c2VjcmV0"}]}})";
    // Stores written before unique ids kept a dedup entry for every event.
    return unique ? engine::make_unique_event(engine::attempt_updated, "Delegate/d-1", data, "")
                  : engine::make_event(engine::attempt_updated, "old-" + attempt_id, "Delegate/d-1", data, "");
  };
  REQUIRE(store->append({attempt_event("new.1", true), attempt_event("old.1", false)},
                        herald::domain::event_kind::engine_event));
  using view = rocksdb_event_store::view_kind;
  auto body_of = [&](const std::string& id) {
    auto text = store->view(view::attempt_content, id);
    REQUIRE(text);
    REQUIRE(*text);
    return boost::json::parse(**text).at("attachments").at(0);
  };
  CHECK(body_of("new.1").at("body") == "c2VjcmV0");
  auto purged = store->purge_attachments(1795500000000);  // after 2026-11-23
  REQUIRE(purged);
  CHECK(*purged == 2);
  for (const char* id : {"new.1", "old.1"}) {
    CHECK(body_of(id).at("body").is_null());
    CHECK(body_of(id).at("purged") == true);
  }
  CHECK(store->dump_column(cf_attachment_expiry)->empty());
}

TEST_CASE("an attempt whose latest record is a provider's report reads back whole, also once its attachments are purged",
          "[storage][projections][retention]") {
  namespace engine = herald::domain::engine;
  temp_dir dir;
  auto store = open_store(dir.path());
  const std::string created = R"({"id":"c-1.1","communication_id":"c-1","status":"queued","status_reason":"",)"
                              R"("channel":"email","provider":"sandbox","provider_message_id":"","mapped_to":"Delegate/d-1",)"
                              R"("recipient":{"key":"User/u-1","email":"u@example.com"},"subject":"Hello",)"
                              R"("created_at":"2026-11-23T10:00:00.000Z","sent_at":null,)"
                              R"("updated_at":"2026-11-23T10:00:00.000Z","timeline":[{"status":"queued","at":"2026-11-23T10:00:00.000Z"}]})";
  const std::string comm = R"({"id":"c-1","topic":"w/0","subject":"Hello","attempts":1,)"
                           R"("last_attempt_at":"2026-11-23T10:00:00.000Z"})";
  const std::string content = R"({"subject":"Hello","attachments":[{"name":"a.txt","content_type":"text/plain","body":"c2VjcmV0"}]})";
  REQUIRE(store->append({engine::make_unique_event(engine::attempt_updated, "Delegate/d-1",
                                                   R"({"attempt":)" + created + R"(,"communication":)" + comm +
                                                       R"(,"content":)" + content + "}",
                                                   "2026-11-23T10:00:00.000Z")},
                        herald::domain::event_kind::engine_event));
  const std::string update = R"({"id":"c-1.1","communication_id":"c-1","channel":"email","mapped_to":"Delegate/d-1",)"
                             R"("created_at":"2026-11-23T10:00:00.000Z","status":"delivered","status_reason":"",)"
                             R"("provider_message_id":"sb-1","sent_at":"2026-11-23T10:00:01.000Z",)"
                             R"("updated_at":"2026-11-23T10:00:02.000Z","timeline":[{"status":"queued","at":"2026-11-23T10:00:00.000Z"},)"
                             R"({"status":"sent","at":"2026-11-23T10:00:01.000Z"},{"status":"delivered","at":"2026-11-23T10:00:02.000Z"}]})";
  REQUIRE(store->append({engine::make_unique_event(engine::attempt_updated, "Delegate/d-1",
                                                   R"({"attempt":)" + update + R"(,"status_only":true})",
                                                   "2026-11-23T10:00:02.000Z")},
                        herald::domain::event_kind::engine_event));
  boost::json::object expected = boost::json::parse(created).as_object();
  const boost::json::value update_json = boost::json::parse(update);
  for (const auto& member : update_json.as_object()) expected[member.key()] = member.value();

  using view = rocksdb_event_store::view_kind;
  auto parsed = [&](view kind, const std::string& id) { return parsed_view(*store, kind, id); };
  CHECK(parsed(view::attempt, "c-1.1") == expected);
  CHECK(parsed(view::attempt, "c-1.1").at("recipient").at("email") == "u@example.com");
  CHECK(parsed(view::communication, "c-1").at("latest_status") == "delivered");

  auto purged = store->purge_attachments(1795500000000);  // after 2026-11-23
  REQUIRE(purged);
  CHECK(*purged == 1);
  CHECK(parsed(view::attempt_content, "c-1.1").at("attachments").at(0).at("body").is_null());
  CHECK(parsed(view::attempt, "c-1.1") == expected);  // its content's record, rewritten, still holds the attempt
  auto content_column = store->dump_column(cf_attempt_content);
  REQUIRE(content_column);
  REQUIRE(content_column->size() == 1);
  CHECK(view_ref_seq(content_column->at(0).second).has_value());
}

TEST_CASE("a started call's record goes when its attempt leaves queued, also after a reopen",
          "[storage][dispatch]") {
  namespace engine = herald::domain::engine;
  temp_dir dir;
  auto attempt = [](const std::string& id, const std::string& status) {
    return engine::make_unique_event(engine::attempt_updated, "Delegate/d-1",
                                     R"({"attempt":{"id":")" + id + R"(","status":")" + status +
                                         R"(","mapped_to":"Delegate/d-1","channel":"email",)"
                                         R"("created_at":"2026-11-23T10:00:00.000Z"}})",
                                     "");
  };
  auto mark = [](rocksdb_event_store& store, std::vector<std::string> ids) {
    std::promise<bool> done;
    store.mark_calls_started(std::move(ids), [&](herald::result<append_outcome> r) { done.set_value(r.has_value()); });
    return done.get_future().get();
  };
  auto queued = [](rocksdb_event_store& store) {
    std::map<std::string, bool> out;
    REQUIRE(store.scan_queued_attempts([&](const std::string& id, const std::string&, bool started) {
      out[id] = started;
      return true;
    }));
    return out;
  };
  {
    auto store = open_store(dir.path());
    REQUIRE(store->append({attempt("a.1", "queued"), attempt("b.1", "queued")}, herald::domain::event_kind::engine_event));
    REQUIRE(mark(*store, {"a.1"}));
    CHECK(queued(*store) == std::map<std::string, bool>{{"a.1", true}, {"b.1", false}});
  }
  // Reopened (the record is known from the column again): both leave queued.
  auto store = open_store(dir.path());
  REQUIRE(store->append({attempt("a.1", "sent"), attempt("b.1", "sent")}, herald::domain::event_kind::engine_event));
  CHECK(queued(*store).empty());
  CHECK(store->dump_column(cf_calls_started)->empty());
}

TEST_CASE("write-ahead log files stay bounded though a column family is written once and never again",
          "[storage]") {
  namespace engine = herald::domain::engine;
  temp_dir dir;
  store_options o;
  o.path = dir.str();
  // 4 MiB per family's memtable (a quarter, at least 4 MiB), WAL bound 32 MiB.
  o.memtable_budget_bytes = 16u << 20;
  auto opened = rocksdb_event_store::open(o);
  REQUIRE(opened);
  auto& store = *opened;
  // The definitions family gets one write and then none: its memtable holds
  // the first WAL file until something makes it flush.
  REQUIRE(store->append({engine::make_event(engine::definition_put, "def-1", "",
                                            R"({"kind":"workflow","id":"w","version":1,"body":{}})", "")},
                        herald::domain::event_kind::engine_event));
  const std::string big(8192, 'x');
  for (int b = 0; b < 100; ++b) {  // 100 x 100 x 8 KiB: 80 MiB, past the bound
    std::vector<herald::domain::cloud_event> batch;
    for (int i = 0; i < 100; ++i) {
      batch.push_back(make_event("big-" + std::to_string(b) + "-" + std::to_string(i), "Delegate/d-" + std::to_string(i),
                                 "delegate.saved", R"({"label":")" + big + R"("})"));
    }
    REQUIRE(store->append(batch));
  }
  std::uintmax_t wal_bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir.str())) {
    if (f.path().extension() == ".log") wal_bytes += f.file_size();
  }
  INFO("WAL bytes: " << wal_bytes);
  CHECK(wal_bytes < 3 * o.memtable_budget_bytes);
  // Nothing was lost by the flushes it took.
  CHECK(store->read(1)->event.type == engine::definition_put);
  CHECK(store->last_seq() == 10001);
}

TEST_CASE("a recipient's preferences are found once written, and after a restart", "[storage]") {
  // A store that never held preferences answers "none" without a lookup;
  // the first one written, and a reopened store holding some, are read.
  temp_dir dir;
  namespace engine = herald::domain::engine;
  using kind = rocksdb_event_store::view_kind;
  {
    auto store = open_store(dir.path().string());
    auto none = store->view(kind::preferences, "User/u-1");
    REQUIRE(none);
    CHECK(!*none);
    REQUIRE(store->append({engine::make_event(engine::preferences_updated, "p-1", "User/u-1",
                                              R"({"preferences":{"opted_out":["Marketing"]}})",
                                              "2026-11-24T10:00:00.000Z")},
                          herald::domain::event_kind::engine_event));
    auto written = store->view(kind::preferences, "User/u-1");
    REQUIRE(written);
    REQUIRE(*written);
    CHECK(boost::json::parse(**written).at("opted_out").at(0) == "Marketing");
  }
  auto reopened = open_store(dir.path().string());
  auto read = reopened->view(kind::preferences, "User/u-1");
  REQUIRE(read);
  REQUIRE(*read);
  CHECK(boost::json::parse(**read).at("opted_out").at(0) == "Marketing");
  auto other = reopened->view(kind::preferences, "User/u-2");
  REQUIRE(other);
  CHECK(!*other);
}

namespace {

// The options RocksDB applied, as it wrote them to the store's newest
// OPTIONS file: "section key" -> value, e.g. "DBOptions max_background_flushes"
// or "CFOptions \"log\" max_write_buffer_number".
std::map<std::string, std::string> applied_rocksdb_options(const std::filesystem::path& folder) {
  std::filesystem::path newest;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("OPTIONS-", 0) == 0 && (newest.empty() || name > newest.filename().string())) newest = entry.path();
  }
  std::map<std::string, std::string> options;
  std::ifstream in(newest);
  std::string line, section;
  while (std::getline(in, line)) {
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos || line[start] == '#') continue;
    if (line[start] == '[') {
      section = line.substr(start + 1, line.find(']') - start - 1);
    } else if (const auto eq = line.find('='); eq != std::string::npos) {
      options[section + " " + line.substr(start, eq - start)] = line.substr(eq + 1);
    }
  }
  return options;
}

}  // namespace

TEST_CASE("the store flushes two memtables at once and writes on while a family waits for its flush",
          "[storage]") {
  // Under a burst a full WAL starts a flush of every family at once; with
  // one flush at a time and two memtables a family, the log's next flush
  // queued behind them and every write stopped until it ran.
  temp_dir dir;
  store_options o;
  o.path = dir.str();
  {
    auto opened = rocksdb_event_store::open(o);
    REQUIRE(opened);
  }
  const auto applied = applied_rocksdb_options(dir.path());
  CHECK(applied.at("DBOptions max_background_flushes") == "2");
  CHECK(applied.at("DBOptions max_background_compactions") == "1");
  for (const char* family : {"log", "entity_history", "attempts", "dedup"}) {
    INFO(family);
    CHECK(applied.at(std::string("CFOptions \"") + family + "\" max_write_buffer_number") == "3");
  }
}
