// Operations end to end (SPEC §6): resend, bulk resend, execute, logging a
// manual interaction — `herald serve --time-skipping` with the sandbox
// provider, over HTTP.

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "tests/support/engine_client.hpp"
#include "tests/support/events.hpp"

namespace json = boost::json;
using herald::test::engine_client;
using herald::test::event_line;

namespace {

std::string person(const std::string& id, const std::string& name) {
  return event_line(id, "Person/p-1",
                    R"({"label":"Pat","fields":{"FirstName":")" + name + R"("},"contact":{"email":"pat@example.com"}})",
                    "person.saved") + "\n";
}

json::object latest_attempt(engine_client& e) {
  std::int64_t best = 0;
  json::object out;
  for (const auto& item : e.items("/v1/log?limit=100&mapped_to=Person/p-1")) {
    if (item.at("attempt").to_number<std::int64_t>() > best && item.at("channel") != "manual") {
      best = item.at("attempt").to_number<std::int64_t>();
      out = item.as_object();
    }
  }
  return out;
}

}  // namespace

TEST_CASE("resend, execute and log: new attempts, the old ones untouched", "[system][operations]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  REQUIRE(e.put("/v1/templates/welcome", R"({"channel":"email","subject":"Welcome @@FirstName","text":"Hello @@FirstName",
      "attachments":[{"name":"terms.txt","content_type":"text/plain","body":"Terms for @@FirstName"}]})").status == 200);
  REQUIRE(e.put("/v1/workflows/welcome", R"({"title":"Welcome","module":"Person","trigger":{"on":"person.saved"},
      "actions":[{"kind":"send","template":"welcome","to":["@self"],"channels":["email"],"category":"Onboarding"}]})").status == 200);
  REQUIRE(e.ingest(person("p1", "Pat")).status == 202);
  const auto first = latest_attempt(e);
  REQUIRE(first.at("status") == "delivered");
  const std::string comm(first.at("communication_id").as_string());
  const std::string first_id(first.at("id").as_string());

  // Resend: same content, marked as a resend by whom.
  auto r = e.call("POST", "/v1/communications/" + comm + "/resend");
  REQUIRE(r.status == 201);
  const std::string second_id(r.body.at("attempts").at(0).as_string());
  REQUIRE(e.settle().status == 200);
  auto second = e.get("/v1/log/" + second_id).body.as_object();
  CHECK(second.at("resend_of") == first_id.c_str());
  CHECK(second.at("automated") == false);
  CHECK(second.at("attempt") == 2);
  CHECK(second.at("status") == "delivered");  // really sent again
  CHECK(second.at("content").at("text") == "Hello Pat");
  CHECK(second.at("content").at("attachments").as_array().size() == 1);
  CHECK(std::string(second.at("timeline").at(0).at("reason").as_string()) == "resent by anonymous");
  CHECK(e.get("/v1/log/" + first_id).body.at("status") == "delivered");  // the first is as it was
  // The operation is on the entity's audit trail, with who did it.
  bool audited = false;
  const auto entity = e.get("/v1/entities/Person/p-1");
  REQUIRE(entity.status == 200);
  for (const auto& h : entity.body.at("history").at("items").as_array()) {
    if (h.at("type") != "herald.operation.performed" || !h.at("data").is_object()) continue;
    const auto& data = h.at("data").as_object();
    audited = audited || (data.at("by") == "anonymous" && data.at("operation") == "resend");
  }
  CHECK(audited);

  // Four weeks on, attachments are no longer kept: purged from the log and
  // the views (name and type stay), and a resend goes without, and says so.
  auto export_log = [&] {
    return herald::test::run_program({HERALD_BINARY, "export", "--data", dir.sub("data"), "--kind", "engine"}).out;
  };
  CHECK(export_log().find("Terms for Pat") != std::string::npos);
  const auto zip_path = dir.path() / "early.zip";
  auto unzip_attachment = [&] {
    herald::adapters::http_client c;
    auto zip = c.request("GET", e.url() + "/v1/download?ids=" + first_id);
    REQUIRE(zip);
    REQUIRE(zip->status == 200);
    herald::test::write_file(zip_path, zip->body);
    return herald::test::run_program({"/usr/bin/unzip", "-p", zip_path.string(), first_id + "/attachments/terms.txt"});
  };
  CHECK(unzip_attachment().out == "Terms for Pat");
  REQUIRE(e.advance("P27D").status == 200);
  CHECK(e.get("/v1/log/" + first_id).body.at("content").at("attachments").at(0).at("body") == "Terms for Pat");
  REQUIRE(e.advance("P2D").status == 200);
  const auto purged = e.get("/v1/log/" + first_id).body.at("content").at("attachments").at(0);
  CHECK(purged.at("body").is_null());
  CHECK(purged.at("purged") == true);
  CHECK(purged.at("name") == "terms.txt");
  CHECK(export_log().find("Terms for Pat") == std::string::npos);  // gone from the log records too
  CHECK(e.get("/v1/log/" + first_id).body.at("status") == "delivered");  // the attempt itself stays
  r = e.call("POST", "/v1/communications/" + comm + "/resend");
  REQUIRE(r.status == 201);
  auto third = e.get("/v1/log/" + std::string(r.body.at("attempts").at(0).as_string())).body.as_object();
  CHECK(third.at("content").at("attachments").as_array().empty());
  CHECK(std::string(third.at("timeline").at(0).at("reason").as_string()).find("without its attachments") !=
        std::string::npos);

  // Execute: rendered again from the data as it is now.
  REQUIRE(e.ingest(person("p2", "Patricia")).status == 202);
  const std::string instance(first.at("instance_id").as_string());
  r = e.call("POST", "/v1/instances/" + instance + "/execute");
  REQUIRE(r.status == 201);
  auto fresh = e.get("/v1/log/" + std::string(r.body.at("attempts").at(0).as_string())).body.as_object();
  CHECK(fresh.at("subject") == "Welcome Patricia");
  CHECK(fresh.at("content").at("text") == "Hello Patricia");

  // Log a phone call, dated in the past.
  r = e.call("POST", "/v1/communications", R"({"mapped_to":"Person/p-1","type":"Phone call","category":"Onboarding",
      "subject":"Called about the terms","body":"Left a message","date_created":"2026-11-01T10:00:00Z"})");
  REQUIRE(r.status == 201);
  auto call = e.get("/v1/log/" + std::string(r.body.at("attempts").at(0).as_string())).body.as_object();
  CHECK(call.at("status") == "completed");
  CHECK(call.at("automated") == false);
  CHECK(call.at("type") == "Phone call");
  CHECK(call.at("created_at") == "2026-11-01T10:00:00.000Z");
  CHECK(call.at("content").at("text") == "Left a message");
  const std::string call_comm(call.at("communication_id").as_string());
  CHECK(e.call("POST", "/v1/communications/" + call_comm + "/resend").status == 400);  // a call is not resent

  // An ad-hoc message (seed 003), as text and from a template.
  r = e.call("POST", "/v1/send", R"({"mapped_to":"Person/p-1","to":["@self"],"subject":"Room change",
      "text":"Your course moved to room 4.","category":"Onboarding"})");
  REQUIRE(r.status == 201);
  REQUIRE(e.settle().status == 200);
  auto adhoc = e.get("/v1/log/" + std::string(r.body.at("attempts").at(0).as_string())).body.as_object();
  CHECK(adhoc.at("automated") == false);
  CHECK(adhoc.at("status") == "delivered");
  CHECK(adhoc.at("content").at("text") == "Your course moved to room 4.");
  CHECK(std::string(adhoc.at("timeline").at(0).at("reason").as_string()) == "sent by anonymous");
  r = e.call("POST", "/v1/send", R"({"mapped_to":"Person/p-1","to":["@self"],"template":"welcome"})");
  REQUIRE(r.status == 201);
  auto templated = e.get("/v1/log/" + std::string(r.body.at("attempts").at(0).as_string())).body.as_object();
  CHECK(templated.at("subject") == "Welcome Patricia");
  CHECK(e.call("POST", "/v1/send", R"({"mapped_to":"Person/p-1","to":["Nobody..x"],"subject":"x","text":"y"})")
            .body.at("error").at("field") == "to[0]");
  CHECK(e.call("POST", "/v1/send", R"({"mapped_to":"Person/p-1","to":["@self"]})").body.at("error").at("field") ==
        "subject");
  CHECK(e.call("POST", "/v1/send", R"({"mapped_to":"Person/p-1","to":["@self"],"template":"nope"})")
            .body.at("error").at("field") == "template");

  // Bulk: a dry run counts, then ids resend.
  r = e.call("POST", "/v1/communications/resend", R"({"filter":{"status":"completed"},"dry_run":true})");
  REQUIRE(r.status == 200);
  CHECK(r.body.at("count") == 4);  // the welcome, the call and the two ad-hoc messages
  r = e.call("POST", "/v1/communications/resend", R"({"ids":[")" + comm + R"(","c-nope"]})");
  REQUIRE(r.status == 200);
  CHECK(r.body.at("results").at(0).at("attempt").as_string().size() > 0);
  CHECK(r.body.at("results").at(1).at("error") == "not_found");

  // One entity's communications (SPEC §6): newest first by their latest
  // attempt, each once, page by page too. The call, dated in the past, comes
  // last though it was logged after the welcome (the virtual clock stands
  // still here, so the others share one time).
  {
    auto ids_of = [](const boost::json::array& items) {
      std::vector<std::string> ids;
      for (const auto& c : items) ids.emplace_back(c.at("id").as_string());
      return ids;
    };
    REQUIRE(e.settle().status == 200);
    const auto listed = e.get("/v1/communications?mapped_to=Person/p-1").body.at("items").as_array();
    const auto ids = ids_of(listed);
    REQUIRE(ids.size() >= 3);
    CHECK(ids.back() == call_comm);
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
    for (std::size_t i = 1; i < listed.size(); ++i) {
      CHECK(listed[i - 1].at("last_attempt_at").as_string() >= listed[i].at("last_attempt_at").as_string());
    }
    std::vector<std::string> paged;
    std::string cursor;
    for (std::size_t page = 0; page <= ids.size(); ++page) {
      const auto body = e.get("/v1/communications?mapped_to=Person/p-1&limit=1" +
                              (cursor.empty() ? std::string() : "&cursor=" + cursor)).body;
      for (const auto& id : ids_of(body.at("items").as_array())) paged.push_back(id);
      if (body.at("next_cursor").is_null()) break;
      cursor = std::string(body.at("next_cursor").as_string());
    }
    CHECK(paged == ids);
  }

  // Download: a ZIP of what was sent, as files.
  {
    herald::adapters::http_client c;
    auto zip = c.request("GET", e.url() + "/v1/download?ids=" + first_id + "," + call_comm + ".1");
    REQUIRE(zip);
    CHECK(zip->status == 200);
    CHECK(zip->header("content-type") == "application/zip");
    const auto path = dir.path() / "download.zip";
    herald::test::write_file(path, zip->body);
    auto listing = herald::test::run_program({"/usr/bin/unzip", "-l", path.string()});
    REQUIRE(listing.exit_code == 0);
    CHECK(listing.out.find(first_id + "/attempt.json") != std::string::npos);
    CHECK(listing.out.find(first_id + "/attachments/terms.txt") == std::string::npos);  // purged at 28 days
    CHECK(listing.out.find(call_comm + ".1/message.txt") != std::string::npos);
    CHECK(herald::test::run_program({"/usr/bin/unzip", "-p", path.string(), first_id + "/message.txt"}).out ==
          "Welcome Pat\n\nHello Pat");
    auto filtered = c.request("GET", e.url() + "/v1/download?status=completed&limit=1000");
    REQUIRE(filtered);
    CHECK(filtered->status == 200);
    CHECK(c.request("GET", e.url() + "/v1/download?ids=nope")->status == 404);
    CHECK(c.request("GET", e.url() + "/v1/download?status=lost")->status == 400);
  }

  // Bad requests name what is wrong, and change nothing.
  const auto before = e.items("/v1/log?limit=1000").size();
  CHECK(e.call("POST", "/v1/communications/c-nope/resend").status == 404);
  CHECK(e.call("POST", "/v1/instances/i-nope/execute").status == 404);
  CHECK(e.call("POST", "/v1/communications", R"({"mapped_to":"nobody","type":"x","subject":"y"})")
            .body.at("error").at("field") == "mapped_to");
  CHECK(e.call("POST", "/v1/communications", R"({"mapped_to":"Person/p-1","subject":"y"})")
            .body.at("error").at("field") == "type");
  CHECK(e.call("POST", "/v1/communications", R"({"mapped_to":"Person/p-1","type":"x","subject":"y","mood":"ok"})")
            .body.at("error").at("field") == "mood");
  CHECK(e.call("POST", "/v1/communications", R"({"mapped_to":"Person/p-1","type":"x","subject":"y","date_created":"then"})")
            .body.at("error").at("field") == "date_created");
  CHECK(e.call("POST", "/v1/communications/resend", R"({"filter":{"status":"lost"}})").body.at("error").at("field") ==
        "filter.status");
  CHECK(e.items("/v1/log?limit=1000").size() == before);
}

TEST_CASE("custom lists of types and categories: versioned, validated", "[system][operations]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  CHECK(e.get("/v1/lists/types").status == 404);  // none yet
  auto r = e.put("/v1/lists/types", R"({"items":["Email","Phone call","Meeting"]})");
  REQUIRE(r.status == 200);
  CHECK(r.body.at("version") == 1);
  r = e.put("/v1/lists/types", R"({"items":["Email","Phone call","Meeting","Letter"]})");
  CHECK(r.body.at("version") == 2);
  auto got = e.get("/v1/lists/types");
  CHECK(got.body.at("body").at("items").as_array().size() == 4);
  CHECK(e.get("/v1/lists/types?version=1").body.at("body").at("items").as_array().size() == 3);
  REQUIRE(e.put("/v1/lists/categories", R"({"items":["Booking","Finance"]})").status == 200);
  CHECK(e.put("/v1/lists/types", R"({"items":["Email","Email"]})").body.at("error").at("field") == "items[1]");
  CHECK(e.put("/v1/lists/types", R"({"items":[7]})").body.at("error").at("field") == "items[0]");
  CHECK(e.put("/v1/lists/types", R"({"names":[]})").body.at("error").at("field") == "items");
  CHECK(e.put("/v1/lists/colours", R"({"items":[]})").status == 404);
  CHECK(e.get("/v1/lists/types").body.at("version") == 2);  // refused changes left it alone
}
