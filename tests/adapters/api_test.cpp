#include <catch2/catch.hpp>

#include <atomic>

#include <boost/json.hpp>

#include "adapters/http/access_policy.hpp"
#include "adapters/http/api.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/http/http_server.hpp"
#include "domain/engine_event.hpp"
#include "domain/rfc3339.hpp"
#include "storage/rocksdb_event_store.hpp"
#include "tests/support/events.hpp"
#include "tests/support/fixtures.hpp"

namespace json = boost::json;
using namespace herald::adapters;
using herald::test::delegate_record;
using herald::test::event_line;

namespace {

const char* const admin_key = "admin-key-0123456789";

// A real store on disk behind the real API on a loopback port.
struct api_server {
  explicit api_server(std::vector<herald::domain::api_key_config> keys = {},
                      std::uint64_t max_body = 10 * 1024 * 1024) {
    herald::storage::store_options so;
    so.path = dir.sub("data");
    store = std::move(*herald::storage::rocksdb_event_store::open(so));
    api_options ao;
    ao.store = store.get();
    ao.api_keys = std::move(keys);
    ao.on_accepted = [this](const herald::storage::event_batch&,
                            const herald::storage::append_outcome& o) { routed += o.accepted; };
    handler = std::make_shared<api>(std::move(ao));
    http_server_options ho;
    ho.port = 0;
    ho.max_body_bytes = max_body;
    auto h = handler;
    server = std::move(*http_server::start(
        ho, [h](http_request r, http_responder respond) { h->handle(std::move(r), std::move(respond)); }));
  }
  ~api_server() { server->stop(std::chrono::milliseconds(1000)); }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + path;
  }
  client_response post(const std::string& body, const std::string& content_type,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    auto r = client.request("POST", url("/v1/events"), headers, body);
    REQUIRE(r);
    return *r;
  }
  client_response get(const std::string& path, std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto r = client.request("GET", url(path), headers);
    REQUIRE(r);
    return *r;
  }

  herald::test::temp_dir dir;
  std::unique_ptr<herald::storage::rocksdb_event_store> store;
  std::shared_ptr<api> handler;
  std::unique_ptr<http_server> server;
  http_client client;
  std::atomic<std::size_t> routed{0};
};

json::object body_of(const client_response& r) { return json::parse(r.body).as_object(); }

const std::string minimal = R"({"specversion":"1.0","id":"m1","source":"s","type":"t"})";

}  // namespace

TEST_CASE("a single event is accepted with 202 once durable", "[api][ingest]") {
  api_server s;
  auto r = s.post(minimal, "application/cloudevents+json");
  CHECK(r.status == 202);
  auto b = body_of(r);
  CHECK(b.at("accepted") == 1);
  CHECK(b.at("duplicates") == 0);
  CHECK(b.at("first_seq") == 1);
  CHECK(b.at("last_seq") == 1);
  CHECK(s.store->read(1)->event.id == "m1");
  CHECK(s.routed == 1);
}

TEST_CASE("batches, NDJSON and the binary content mode are accepted", "[api][ingest]") {
  api_server s;
  const std::string a = event_line("a", "Delegate/d-1", delegate_record("Booked"));
  const std::string b = event_line("b", "Delegate/d-2", delegate_record("Booked"));
  CHECK(body_of(s.post("[" + a + "," + b + "]", "application/cloudevents-batch+json")).at("accepted") == 2);
  CHECK(body_of(s.post(event_line("c", "X/1", "{}") + "\n" + event_line("d", "X/2", "{}") + "\n",
                       "application/x-ndjson")).at("last_seq") == 4);
  auto bin = s.post(R"({"label":"Acme"})", "application/json",
                    {{"ce-specversion", "1.0"}, {"ce-id", "b1"}, {"ce-source", "sdk"},
                     {"ce-type", "account.saved"}, {"ce-subject", "Account/a-1"}});
  CHECK(bin.status == 202);
  auto stored = s.store->read(5);
  REQUIRE(stored);
  CHECK(*stored->event.subject == "Account/a-1");
  CHECK(json::parse(stored->event.data) == json::parse(R"({"label":"Acme"})"));
  CHECK(body_of(s.post("[]", "application/cloudevents-batch+json")).at("accepted") == 0);
}

TEST_CASE("re-sent events are counted as duplicates and change nothing", "[api][ingest]") {
  api_server s;
  REQUIRE(s.post(minimal, "application/cloudevents+json").status == 202);
  auto again = s.post(minimal, "application/cloudevents+json");
  CHECK(again.status == 202);
  CHECK(body_of(again).at("duplicates") == 1);
  CHECK(body_of(again).at("first_seq").is_null());
  CHECK(s.store->last_seq() == 1);
  CHECK(s.routed == 1);
}

TEST_CASE("bad input is refused with its exact status and nothing is stored", "[api][ingest]") {
  api_server s(/*keys=*/{}, /*max_body=*/4096);
  REQUIRE(s.post(minimal, "application/cloudevents+json").status == 202);
  struct bad_case {
    std::string body, content_type;
    long status;
    std::string code, field;
    long index;
  };
  const std::string good = event_line("g1", "Delegate/d-9", delegate_record("Booked"));
  const std::string no_id = R"({"specversion":"1.0","source":"s","type":"t"})";
  std::vector<bad_case> cases = {
      {"{not json", "application/json", 400, "parse_error", "", -1},
      {no_id, "application/cloudevents+json", 400, "invalid_argument", "id", 0},
      {"[" + good + "," + good + "," + no_id + "]", "application/cloudevents-batch+json", 400,
       "invalid_argument", "id", 2},
      {good + "\n" + no_id + "\n", "application/x-ndjson", 400, "invalid_argument", "id", 1},
      {event_line("x", "Delegate/d-1", R"({"fields":[]})"), "application/json", 400,
       "invalid_argument", "data.fields", 0},
      {good, "text/plain", 415, "unsupported", "Content-Type", -1},
      {good, "", 415, "unsupported", "Content-Type", -1},
      {"[" + std::string(5000, ' ') + "]", "application/cloudevents-batch+json", 413, "too_large", "", -1},
  };
  for (const auto& c : cases) {
    INFO(c.body.substr(0, 80) << " as " << c.content_type);
    auto r = s.post(c.body, c.content_type);
    CHECK(r.status == c.status);
    auto err = body_of(r).at("error").as_object();
    CHECK(err.at("code") == c.code.c_str());
    CHECK(!err.at("message").as_string().empty());
    if (!c.field.empty()) CHECK(err.at("field") == c.field.c_str());
    if (c.index >= 0) CHECK(err.at("index") == c.index);
  }
  CHECK(s.store->last_seq() == 1);  // not one event of a bad request was stored
  CHECK(s.store->read(1)->event.id == "m1");
}

TEST_CASE("with API keys every endpoint but health needs a valid bearer key", "[api][auth]") {
  api_server s({{admin_key, "admin", "ops"}});
  CHECK(s.get("/healthz").status == 200);
  CHECK(s.get("/readyz").status == 200);
  auto anonymous = s.post(minimal, "application/cloudevents+json");
  CHECK(anonymous.status == 401);
  CHECK(body_of(anonymous).at("error").at("field") == "Authorization");
  CHECK(s.post(minimal, "application/cloudevents+json", {{"Authorization", "Bearer wrong-key-0123456789"}}).status == 401);
  CHECK(s.store->last_seq() == 0);
  CHECK(s.post(minimal, "application/cloudevents+json",
               {{"Authorization", std::string("Bearer ") + admin_key}}).status == 202);
  CHECK(s.get("/v1/entities/Delegate/d-1").status == 401);
}

TEST_CASE("roles: viewer reads, operator operates, admin defines, ingest only sends, 403 names the need",
          "[api][auth]") {
  const char* viewer = "viewer-key-0123456789";
  const char* operator_key = "operator-key-0123456789";
  const char* ingest = "ingest-key-0123456789";
  api_server s({{admin_key, "admin", "ada"}, {viewer, "viewer", "vic"}, {operator_key, "operator", "ops"},
                {ingest, "ingest", "feed"}});
  auto call = [&](const std::string& method, const std::string& path, const char* key, const std::string& body = "") {
    auto r = s.client.request(method, s.url(path), {{"Authorization", std::string("Bearer ") + key},
                                                      {"Content-Type", "application/json"}}, body);
    REQUIRE(r);
    return *r;
  };
  // Ingest: events yes, reading no.
  CHECK(call("POST", "/v1/events", ingest, minimal).status == 202);
  auto denied = call("GET", "/v1/log", ingest);
  CHECK(denied.status == 403);
  CHECK(body_of(denied).at("error").at("code") == "forbidden");
  CHECK(std::string(body_of(denied).at("error").at("message").as_string()).find("needs viewer") != std::string::npos);
  // Viewer: reads, but neither ingests nor changes anything.
  CHECK(call("GET", "/v1/log", viewer).status == 200);
  CHECK(call("GET", "/v1/recipients/User/u-1/preferences", viewer).status == 200);
  CHECK(call("POST", "/v1/events", viewer, minimal).status == 403);
  CHECK(call("PUT", "/v1/recipients/User/u-1/preferences", viewer, R"({"all":"opt_out"})").status == 403);
  // Operator: operations yes, definitions no.
  auto prefs = call("PUT", "/v1/recipients/User/u-1/preferences", operator_key, R"({"all":"opt_out"})");
  CHECK(prefs.status == 200);
  CHECK(body_of(prefs).at("updated_by") == "ops");  // audited with the key's name
  CHECK(call("PUT", "/v1/templates/t", operator_key, R"({"channel":"email","subject":"x","text":"y"})").status == 403);
  CHECK(call("POST", "/v1/admin/time", operator_key, R"({"advance":"PT1M"})").status == 403);
  // Admin: everything (the definition is refused for its content, not the key).
  CHECK(call("PUT", "/v1/recipients/User/u-2/preferences", admin_key, R"({"all":"opt_in"})").status == 200);
  CHECK(call("PUT", "/v1/templates/t", admin_key, R"({"channel":"email","subject":"x","text":"y"})").status != 403);
  CHECK(call("POST", "/v1/events", admin_key, minimal).status == 202);
}

TEST_CASE("roles: every endpoint answers 403 exactly when the key's role is too small", "[api][auth]") {
  struct key_case {
    const char* key;
    const char* role;
  };
  const std::vector<key_case> keys = {{"viewer-key-0123456789", "viewer"}, {"operator-key-0123456789", "operator"},
                                      {"ingest-key-0123456789", "ingest"}, {admin_key, "admin"}};
  std::vector<herald::domain::api_key_config> configured;
  for (const auto& k : keys) configured.push_back({k.key, k.role, std::string(k.role) + "-name"});
  api_server s(configured);
  struct endpoint {
    const char* method;
    const char* path;
    const char* needs;
  };
  const std::vector<endpoint> endpoints = {
      {"POST", "/v1/events", "ingest"},
      {"POST", "/v1/webhooks/post", "ingest"},
      {"POST", "/v1/webhooks/einvoice", "ingest"},
      {"GET", "/v1/log", "viewer"},
      {"GET", "/v1/log/x", "viewer"},
      {"GET", "/v1/communications", "viewer"},
      {"GET", "/v1/queue", "viewer"},
      {"GET", "/v1/tasks", "viewer"},
      {"GET", "/v1/workflow-errors", "viewer"},
      {"GET", "/v1/instances/x", "viewer"},
      {"GET", "/v1/entities/User/u-1", "viewer"},
      {"GET", "/v1/workflows", "viewer"},
      {"GET", "/v1/templates/x", "viewer"},
      {"GET", "/v1/lists/types", "viewer"},
      {"GET", "/v1/recipients/User/u-1/preferences", "viewer"},
      {"GET", "/v1/download?ids=x", "viewer"},
      {"GET", "/metrics", "viewer"},
      {"POST", "/v1/communications", "operator"},
      {"POST", "/v1/communications/x/resend", "operator"},
      {"POST", "/v1/communications/resend", "operator"},
      {"POST", "/v1/instances/x/execute", "operator"},
      {"POST", "/v1/log/x/reconcile", "operator"},
      {"POST", "/v1/tasks/x/complete", "operator"},
      {"PUT", "/v1/recipients/User/u-1/preferences", "operator"},
      {"PUT", "/v1/workflows/x", "admin"},
      {"DELETE", "/v1/workflows/x", "admin"},
      {"PUT", "/v1/templates/x", "admin"},
      {"DELETE", "/v1/templates/x", "admin"},
      {"PUT", "/v1/lists/types", "admin"},
      {"POST", "/v1/admin/time", "admin"},
      {"PUT", "/v1/admin/faults", "admin"},
  };
  for (const auto& ep : endpoints) {
    for (const auto& k : keys) {
      auto r = s.client.request(ep.method, s.url(ep.path),
                                {{"Authorization", std::string("Bearer ") + k.key}, {"Content-Type", "application/json"}},
                                "{}");
      REQUIRE(r);
      const bool allowed = herald::adapters::role_allows(k.role, ep.needs);
      INFO(ep.method << " " << ep.path << " as " << k.role << " -> " << r->status);
      CHECK((r->status == 403) == !allowed);
      CHECK(r->status != 401);
    }
    // And no key at all is a 401 everywhere.
    auto anonymous = s.client.request(ep.method, s.url(ep.path), {{"Content-Type", "application/json"}}, "{}");
    REQUIRE(anonymous);
    INFO(ep.method << " " << ep.path << " without a key");
    CHECK(anonymous->status == 401);
  }
  CHECK(herald::adapters::required_role("GET", "/v1/anything") == "viewer");
}

TEST_CASE("the entity view shows snapshot, changed fields and a paged history", "[api][entities]") {
  api_server s;
  std::string lines;
  for (int i = 1; i <= 5; ++i) {
    lines += event_line("e" + std::to_string(i), "Delegate/d-42",
                        delegate_record(i == 5 ? "Cancelled" : "Booked")) + "\n";
  }
  REQUIRE(s.post(lines, "application/x-ndjson").status == 202);
  auto r = s.get("/v1/entities/Delegate/d-42?limit=2");
  REQUIRE(r.status == 200);
  auto b = body_of(r);
  CHECK(b.at("key") == "Delegate/d-42");
  CHECK(b.at("label") == "Jane Doe");
  CHECK(b.at("deleted") == false);
  CHECK(b.at("record").at("fields").at("Status") == "Cancelled");
  CHECK(b.at("changed_fields") == json::array{"Status"});
  std::vector<std::int64_t> seen;
  for (;;) {
    for (const auto& item : b.at("history").at("items").as_array()) {
      seen.push_back(item.at("seq").to_number<std::int64_t>());
    }
    if (b.at("history").at("next_cursor").is_null()) break;
    std::string cursor(b.at("history").at("next_cursor").as_string());
    b = body_of(s.get("/v1/entities/Delegate/d-42?limit=2&cursor=" + cursor));
  }
  CHECK(seen == std::vector<std::int64_t>{5, 4, 3, 2, 1});

  CHECK(s.get("/v1/entities/Delegate/d-0").status == 404);
  CHECK(body_of(s.get("/v1/entities/Delegate/d-42?limit=0")).at("error").at("field") == "limit");
  CHECK(s.get("/v1/entities/Delegate/d-42?cursor=abc").status == 400);
  CHECK(s.get("/v1/entities/nokey").status == 400);
  CHECK(s.get("/v1/nothing").status == 404);
}

TEST_CASE("deleting an entity shows in its view", "[api][entities]") {
  api_server s;
  REQUIRE(s.post(event_line("a", "Invoice/inv-7", R"({"label":"INV-7","fields":{"Total":10}})", "invoice.saved"),
                 "application/json").status == 202);
  REQUIRE(s.post(R"({"specversion":"1.0","id":"b","source":"test","type":"invoice.deleted","subject":"Invoice/inv-7"})",
                 "application/json").status == 202);
  auto b = body_of(s.get("/v1/entities/Invoice/inv-7"));
  CHECK(b.at("deleted") == true);
  CHECK(b.at("record").at("label") == "INV-7");
}

TEST_CASE("every CloudEvents conformance case gets its labelled answer over HTTP",
          "[api][ingest][fixtures]") {
  auto valid_events = herald::test::conformance_suite("format_json_valid-events.json");
  auto invalid_events = herald::test::conformance_suite("format_json_invalid-events.json");
  auto valid_batches = herald::test::conformance_suite("format_json_valid-batches.json");
  auto invalid_batches = herald::test::conformance_suite("format_json_invalid-batches.json");
  if (!valid_events || !invalid_events || !valid_batches || !invalid_batches) {
    return;
  }
  api_server s;
  for (const auto& t : *valid_events) {
    INFO(t.at("id").as_string().c_str());
    CHECK(s.post(json::serialize(t.at("event")), "application/cloudevents+json").status == 202);
  }
  for (const auto& t : *invalid_events) {
    INFO(t.at("id").as_string().c_str());
    CHECK(s.post(json::serialize(t.at("event")), "application/cloudevents+json").status == 400);
  }
  for (const auto& t : *valid_batches) {
    INFO(t.at("id").as_string().c_str());
    CHECK(s.post(json::serialize(t.at("batch")), "application/cloudevents-batch+json").status == 202);
  }
  const auto before = s.store->last_seq();
  for (const auto& t : *invalid_batches) {
    INFO(t.at("id").as_string().c_str());
    CHECK(s.post(json::serialize(t.at("batch")), "application/cloudevents-batch+json").status == 400);
  }
  CHECK(s.store->last_seq() == before);
}

TEST_CASE("the Failed list finds a failure behind tens of thousands of newer deliveries, on its first page",
          "[api][queries]") {
  // A list examines at most 20,000 rows per request: walking every attempt,
  // this failure would be past them, and the first page empty.
  namespace engine = herald::domain::engine;
  api_server s;
  auto attempt = [](int n, const std::string& status, const std::string& at) {
    const std::string comm = "c-" + std::to_string(n);
    const std::string data = R"({"attempt":{"id":")" + comm + R"(.1","communication_id":")" + comm +
                             R"(","status":")" + status + R"(","mapped_to":"Delegate/d-)" + std::to_string(n) +
                             R"(","channel":"email","created_at":")" + at + R"("},"communication":{"id":")" + comm +
                             R"(","mapped_to":"Delegate/d-)" + std::to_string(n) + R"(","topic":"w/0","attempts":1,)"
                             R"("latest_status":")" + status + R"(","latest_attempt_id":")" + comm +
                             R"(.1","last_attempt_at":")" + at + R"("},"content":{"attachments":[]}})";
    return engine::make_unique_event(engine::attempt_updated, "Delegate/d-" + std::to_string(n), data, at);
  };
  REQUIRE(s.store->append({attempt(0, "bounced", "2026-11-23T09:00:00.000Z")},
                          herald::domain::event_kind::engine_event));
  constexpr int newer = 25000;
  for (int first = 1; first <= newer; first += 1000) {
    std::vector<herald::domain::cloud_event> batch;
    for (int n = first; n < first + 1000; ++n) {
      batch.push_back(attempt(n, "delivered", herald::domain::format_rfc3339_ms(1795430000000 + n)));
    }
    REQUIRE(s.store->append(std::move(batch), herald::domain::event_kind::engine_event));
  }
  for (const char* list : {"/v1/log?status=failed", "/v1/log?status=bounced", "/v1/communications?status=failed"}) {
    INFO(list);
    auto r = s.get(list);
    REQUIRE(r.status == 200);
    const auto page = body_of(r);
    REQUIRE(page.at("items").as_array().size() == 1);
    CHECK(page.at("items").at(0).at("mapped_to") == "Delegate/d-0");
    CHECK(page.at("next_cursor").is_null());
  }
  // Unfiltered, the newest come first, as before.
  auto all = body_of(s.get("/v1/log?limit=3"));
  CHECK(all.at("items").at(0).at("mapped_to") == "Delegate/d-25000");
  // The Completed list pages through its own index, each row once.
  std::size_t seen = 0;
  std::string cursor;
  for (int page = 0; page < 30; ++page) {
    auto r = body_of(s.get("/v1/log?status=completed&limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor)));
    seen += r.at("items").as_array().size();
    if (r.at("next_cursor").is_null()) break;
    cursor = std::string(r.at("next_cursor").as_string());
  }
  CHECK(seen == newer);
  // A cursor of the Completed list is not one of the Failed list.
  CHECK(s.get("/v1/log?status=failed&cursor=" + cursor).status == 400);
}
