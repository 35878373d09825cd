// Fault injection through the storage seam (issue 6): `herald serve
// --fault-injection` makes the store's disk writes fail on request
// (PUT /v1/admin/faults). Ingest must answer 503 with Retry-After, store
// nothing of the refused request, keep serving reads, and take writes again
// once the disk does; what was acknowledged survives a kill -9.

#include <catch2/catch.hpp>

#include <filesystem>
#include <signal.h>

#include <boost/json.hpp>

#include "adapters/http/http_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/engine_client.hpp"
#include "tests/support/events.hpp"
#include "tests/support/temp_dir.hpp"

namespace json = boost::json;
using herald::test::engine_client;
using herald::test::event_line;

namespace {

std::string people(const std::vector<std::string>& ids) {
  std::string body;
  for (const auto& id : ids) {
    body += event_line("e-" + id, "Person/" + id, R"({"label":"P","fields":{"FirstName":"P"}})", "person.saved") + "\n";
  }
  return body;
}

}  // namespace

TEST_CASE("a failing or full disk: ingest answers 503 and stores nothing, writes resume when the disk does",
          "[system][faults]") {
  const std::string fault = GENERATE(std::string("write_error"), std::string("sync_error"), std::string("no_space"));
  INFO(fault);
  herald::test::temp_dir dir;
  {
    engine_client e(dir.sub("data"), {"--fault-injection"});
    REQUIRE(e.call("POST", "/v1/events", people({"a", "b"}), "application/x-ndjson").status == 202);

    auto bad = e.put("/v1/admin/faults", R"({"storage":"meteor"})");
    CHECK(bad.status == 400);
    CHECK(bad.body.at("error").at("field") == "storage");
    REQUIRE(e.put("/v1/admin/faults", R"({"storage":")" + fault + R"("})").status == 200);

    herald::adapters::http_client client;
    auto refused = client.request("POST", e.url() + "/v1/events", {{"Content-Type", "application/x-ndjson"}},
                                  people({"c", "d"}));
    REQUIRE(refused);
    CHECK(refused->status == 503);
    CHECK(refused->header("retry-after") == "1");
    CHECK(refused->body.find("nothing of this request was stored") != std::string::npos);
    // Reads go on while writes fail.
    CHECK(e.get("/v1/entities/Person/a").status == 200);
    CHECK(e.get("/v1/entities/Person/c").status == 404);

    REQUIRE(e.put("/v1/admin/faults", R"({"storage":"none"})").status == 200);
    auto again = e.call("POST", "/v1/events", people({"c", "d"}), "application/x-ndjson");
    REQUIRE(again.status == 202);
    CHECK(again.body.at("accepted") == 2);  // nothing of the refused request had been half stored
    CHECK(again.body.at("duplicates") == 0);
    CHECK(again.body.at("first_seq") == 3);
    CHECK(e.get("/v1/entities/Person/c").status == 200);
    e.process().kill_with(SIGKILL);
    e.process().wait();
  }
  engine_client e(dir.sub("data"), {"--fault-injection"});
  for (const char* id : {"a", "b", "c", "d"}) {
    INFO(id);
    CHECK(e.get(std::string("/v1/entities/Person/") + id).status == 200);
  }
  // Re-sending everything after the restart changes nothing.
  auto resent = e.call("POST", "/v1/events", people({"a", "b", "c", "d"}), "application/x-ndjson");
  CHECK(resent.body.at("duplicates") == 4);
}

TEST_CASE("without --fault-injection there is no fault switch", "[system][faults]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"), {});
  CHECK(e.put("/v1/admin/faults", R"({"storage":"write_error"})").status == 404);
}

TEST_CASE("a corrupted or foreign data folder is refused at start with a message naming it", "[system][faults]") {
  herald::test::temp_dir dir;
  std::filesystem::create_directories(dir.path() / "foreign");
  herald::test::write_file(dir.path() / "foreign" / "thesis.docx", "not a store");
  auto foreign = herald::test::run_program({HERALD_BINARY, "serve", "--data", dir.sub("foreign"), "--listen", "127.0.0.1:0"});
  CHECK(foreign.exit_code == 1);
  CHECK(foreign.err.find("holds no Herald store") != std::string::npos);

  {
    engine_client e(dir.sub("data"), {});
    REQUIRE(e.call("POST", "/v1/events", people({"a"}), "application/x-ndjson").status == 202);
  }
  herald::test::write_file(dir.path() / "data" / "CURRENT", "MANIFEST-999999\n");
  auto corrupt = herald::test::run_program({HERALD_BINARY, "serve", "--data", dir.sub("data"), "--listen", "127.0.0.1:0"});
  CHECK(corrupt.exit_code == 1);
  CHECK(corrupt.err.find(dir.sub("data")) != std::string::npos);
}
