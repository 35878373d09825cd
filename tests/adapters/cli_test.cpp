#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>

#include <boost/json.hpp>

#include "adapters/http/http_client.hpp"
#include "storage/key_layout.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/events.hpp"
#include "tests/support/temp_dir.hpp"

namespace json = boost::json;
using herald::test::delegate_record;
using herald::test::event_line;
using herald::test::run_program;

namespace {
std::string sample_ndjson(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) {
    out += event_line("e" + std::to_string(i), "Delegate/d-" + std::to_string(i % 3),
                      delegate_record(i % 2 ? "Booked" : "Cancelled")) + "\n";
  }
  return out;
}
}  // namespace

TEST_CASE("herald ingest appends a file and export streams it back", "[cli]") {
  herald::test::temp_dir dir;
  herald::test::write_file(dir.path() / "in.ndjson", sample_ndjson(25));
  auto in = run_program({HERALD_BINARY, "ingest", dir.sub("in.ndjson"), "--data", dir.sub("d1"), "--batch", "10"});
  REQUIRE(in.exit_code == 0);
  auto summary = json::parse(in.out);
  CHECK(summary.at("accepted") == 25);
  CHECK(summary.at("last_seq") == 25);

  auto again = run_program({HERALD_BINARY, "ingest", "-", "--data", dir.sub("d1")}, sample_ndjson(25));
  REQUIRE(again.exit_code == 0);
  CHECK(json::parse(again.out).at("duplicates") == 25);

  auto out = run_program({HERALD_BINARY, "export", "--data", dir.sub("d1")});
  REQUIRE(out.exit_code == 0);
  CHECK(std::count(out.out.begin(), out.out.end(), '\n') == 25);
  // What export prints ingests into an equal log elsewhere.
  REQUIRE(run_program({HERALD_BINARY, "ingest", "-", "--data", dir.sub("d2")}, out.out).exit_code == 0);
  CHECK(run_program({HERALD_BINARY, "export", "--data", dir.sub("d2")}).out == out.out);

  auto one = run_program({HERALD_BINARY, "export", "--data", dir.sub("d1"), "--entity", "Delegate/d-1",
                          "--from-seq", "2", "--to-seq", "10"});
  REQUIRE(one.exit_code == 0);
  CHECK(std::count(one.out.begin(), one.out.end(), '\n') == 3);  // e4, e7, e10
}

TEST_CASE("herald ingest refuses a file with a bad line and stores nothing", "[cli]") {
  herald::test::temp_dir dir;
  std::string text = sample_ndjson(3) + R"({"specversion":"1.0","source":"s","type":"t"})" + "\n";
  auto r = run_program({HERALD_BINARY, "ingest", "-", "--data", dir.sub("d")}, text);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("line 4") != std::string::npos);
  CHECK(r.err.find("'id'") != std::string::npos);
  CHECK(r.err.find("nothing was stored") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "d" / "CURRENT"));
}

TEST_CASE("herald replay rebuilds projections identically, twice", "[cli][replay]") {
  herald::test::temp_dir dir;
  REQUIRE(run_program({HERALD_BINARY, "ingest", "-", "--data", dir.sub("d")}, sample_ndjson(40)).exit_code == 0);
  auto dump = [&] {
    herald::storage::store_options o;
    o.path = dir.sub("d");
    o.read_only = true;
    auto store = std::move(*herald::storage::rocksdb_event_store::open(o));
    std::vector<std::vector<std::pair<std::string, std::string>>> all;
    for (const char* cf : {herald::storage::cf_dedup, herald::storage::cf_entity_history}) {
      all.push_back(*store->dump_column(cf));
    }
    return all;
  };
  const auto before = dump();
  auto r1 = run_program({HERALD_BINARY, "replay", "--data", dir.sub("d")});
  REQUIRE(r1.exit_code == 0);
  CHECK(json::parse(r1.out).at("replayed") == 40);
  CHECK(dump() == before);
  REQUIRE(run_program({HERALD_BINARY, "replay", "--data", dir.sub("d")}).exit_code == 0);
  CHECK(dump() == before);
  auto partial = run_program({HERALD_BINARY, "replay", "--data", dir.sub("d"), "--entity", "Delegate/d-1"});
  REQUIRE(partial.exit_code == 0);
  CHECK(dump() == before);
}

TEST_CASE("herald runs on jemalloc with huge pages and keeps freed pages 30 s before returning them", "[cli]") {
#ifndef HERALD_TEST_ON_JEMALLOC
  herald::test::report_skipped("a sanitizer build: herald runs on the sanitizer's allocator");
#else
  // jemalloc prints its options at exit when asked (MALLOC_CONF adds to
  // the settings compiled into herald, app/malloc_settings.cpp).
  setenv("MALLOC_CONF", "stats_print:true", 1);
  const auto r = run_program({HERALD_BINARY, "--help"});
  unsetenv("MALLOC_CONF");
  REQUIRE(r.exit_code == 0);
  INFO(r.err.substr(0, 2000));
  // A sweep's freed actors are needed again before the next sweep (30 s).
  CHECK(r.err.find("opt.dirty_decay_ms: 30000 ") != std::string::npos);
  CHECK(r.err.find("opt.muzzy_decay_ms: 0 ") != std::string::npos);
  CHECK(r.err.find("opt.background_thread: true ") != std::string::npos);
  CHECK(r.err.find("opt.thp: \"always\"") != std::string::npos);
#endif
}

TEST_CASE("usage errors exit 2 with a message", "[cli]") {
  herald::test::temp_dir dir;
  for (std::vector<std::string> args : {std::vector<std::string>{HERALD_BINARY},
                                        {HERALD_BINARY, "replay"},
                                        {HERALD_BINARY, "export", "--data", "x", "--from-seq", "abc"},
                                        {HERALD_BINARY, "export", "--data", dir.str(), "--entity", "nokey"},
                                        {HERALD_BINARY, "replay", "--data", dir.str(), "--since", "yesterday"},
                                        {HERALD_BINARY, "ingest", "f", "--data", "d", "--url", "http://x"},
                                        {HERALD_BINARY, "serve", "--listen", "nowhere"},
                                        {HERALD_BINARY, "serve", "--sync", "sometimes"}}) {
    INFO((args.size() > 1 ? args[1] : std::string("(none)")));
    auto r = run_program(args);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(r.err.empty());
  }
  auto help = run_program({HERALD_BINARY, "replay", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--from-seq") != std::string::npos);
}

TEST_CASE("herald serve refuses a bad config naming the key, and an open listen without keys", "[cli][config]") {
  herald::test::temp_dir dir;
  herald::test::write_file(dir.path() / "bad.json", R"({"organisation": {"sending_time": "25:00"}})");
  auto bad = run_program({HERALD_BINARY, "serve", "--config", dir.sub("bad.json")});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("organisation.sending_time") != std::string::npos);

  herald::test::write_file(dir.path() / "mars.json", R"({"organisation": {"time_zone": "Mars/Olympus_Mons"}})");
  auto mars = run_program({HERALD_BINARY, "serve", "--config", dir.sub("mars.json"), "--data", dir.sub("m")});
  CHECK(mars.exit_code == 2);
  CHECK(mars.err.find("organisation.time_zone") != std::string::npos);

  herald::test::write_file(dir.path() / "open.json", R"({"listen": "0.0.0.0:0"})");
  auto open = run_program({HERALD_BINARY, "serve", "--config", dir.sub("open.json"), "--data", dir.sub("d")});
  CHECK(open.exit_code == 2);
  CHECK(open.err.find("api_keys") != std::string::npos);
}

TEST_CASE("replay refuses a data folder a server holds, export reads it", "[cli]") {
  herald::test::temp_dir dir;
  herald::test::herald_server server(dir.sub("d"));
  herald::adapters::http_client client;
  auto posted = client.request("POST", server.url + "/v1/events", {{"Content-Type", "application/x-ndjson"}},
                               sample_ndjson(5));
  REQUIRE(posted);
  REQUIRE(posted->status == 202);
  auto replay = run_program({HERALD_BINARY, "replay", "--data", dir.sub("d")});
  CHECK(replay.exit_code == 1);
  CHECK(replay.err.find("in use") != std::string::npos);
  auto exported = run_program({HERALD_BINARY, "export", "--data", dir.sub("d"), "--kind", "ingested"});
  CHECK(exported.exit_code == 0);
  CHECK(std::count(exported.out.begin(), exported.out.end(), '\n') == 5);
  CHECK(exported.out.find("\"source\":\"herald\"") == std::string::npos);
  CHECK(run_program({HERALD_BINARY, "export", "--data", dir.sub("d"), "--kind", "everything"}).exit_code == 2);

  // herald ingest --url posts to the running server.
  herald::test::write_file(dir.path() / "more.ndjson", event_line("u1", "User/u-1", R"({"label":"U"})") + "\n");
  auto remote = run_program({HERALD_BINARY, "ingest", dir.sub("more.ndjson"), "--url", server.url});
  REQUIRE(remote.exit_code == 0);
  CHECK(json::parse(remote.out).at("accepted") == 1);
  CHECK(json::parse(remote.out).at("first_seq").as_int64() > 5);

  server.process.kill_with(SIGTERM);
  CHECK(server.process.wait() == 0);  // a clean shutdown on SIGTERM
}
