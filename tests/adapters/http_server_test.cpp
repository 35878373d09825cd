#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "adapters/http/http_client.hpp"
#include "adapters/http/http_server.hpp"
#include "adapters/http/static_files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace herald::adapters;

namespace {
std::unique_ptr<http_server> start(http_server_options o, http_handler h) {
  o.port = 0;
  auto s = http_server::start(o, std::move(h));
  REQUIRE(s);
  return std::move(*s);
}
std::string url(const http_server& s, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(s.port()) + path;
}
http_handler echo() {
  return [](http_request req, http_responder respond) {
    http_response r;
    r.content_type = "text/plain";
    r.body = req.method + " " + req.path + " q=" + (req.query.count("q") ? req.query.at("q") : "") +
             " body=" + std::to_string(req.body.size()) + " h=" + req.header("x-test").value_or("");
    respond(std::move(r));
  };
}
}  // namespace

TEST_CASE("requests reach the handler decoded and answers come back", "[http]") {
  auto server = start({}, echo());
  http_client client;
  auto r = client.request("POST", url(*server, "/a%20b?q=x+y%26z"), {{"X-Test", "1"}}, "hello");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "POST /a b q=x y&z body=5 h=1");
  CHECK(r->header("connection") != "close");  // keep-alive by default
}

TEST_CASE("a body over the limit is answered 413, announced or not", "[http]") {
  http_server_options o;
  o.max_body_bytes = 1024;
  auto server = start(o, echo());
  http_client client;
  auto announced = client.request("POST", url(*server, "/x"), {}, std::string(4096, 'a'));
  REQUIRE(announced);
  CHECK(announced->status == 413);
  CHECK(announced->body.find("\"too_large\"") != std::string::npos);
  auto chunked = client.request("POST", url(*server, "/x"), {{"Transfer-Encoding", "chunked"}},
                                std::string(4096, 'b'));
  REQUIRE(chunked);
  CHECK(chunked->status == 413);
  // The server keeps serving after refusing.
  http_client fresh;
  CHECK(fresh.request("POST", url(*server, "/x"), {}, std::string(100, 'c'))->status == 200);
}

TEST_CASE("Expect: 100-continue is honoured", "[http]") {
  auto server = start({}, echo());
  http_client client;
  auto r = client.request("POST", url(*server, "/x"), {{"Expect", "100-continue"}}, std::string(3000, 'a'));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body.find("body=3000") != std::string::npos);
}

TEST_CASE("requests beyond the in-flight bound get 503 with Retry-After", "[http]") {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  int held = 0;
  http_server_options o;
  o.max_in_flight = 1;
  auto server = start(o, [&](http_request req, http_responder respond) {
    if (req.path == "/hold") {
      std::thread([&, respond] {
        std::unique_lock<std::mutex> lock(mu);
        ++held;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
        respond(http_response{200, "text/plain", "released", {}});
      }).detach();
      return;
    }
    respond(http_response{200, "text/plain", "fast", {}});
  });
  std::thread holder([&] {
    http_client c;
    auto r = c.request("GET", url(*server, "/hold"));
    CHECK(r->body == "released");
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return held == 1; });
  }
  http_client client;
  auto busy = client.request("GET", url(*server, "/fast"));
  REQUIRE(busy);
  CHECK(busy->status == 503);
  CHECK(busy->header("retry-after") == "1");
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  holder.join();
  CHECK(client.request("GET", url(*server, "/fast"))->status == 200);
}

TEST_CASE("a malformed request line is answered 400", "[http]") {
  auto server = start({}, echo());
  http_client client;
  // curl refuses to send garbage, so use a method token with a bad character.
  auto r = client.request("GE(T", url(*server, "/x"));
  REQUIRE(r);
  CHECK(r->status == 400);
}


TEST_CASE("page files: only plain names in the folder are served, with a content security policy", "[http][static]") {
  herald::test::temp_dir dir;
  std::filesystem::create_directories(dir.path() / "web");
  herald::test::write_file(dir.path() / "web" / "index.html", "<!doctype html>page");
  herald::test::write_file(dir.path() / "web" / "app.js", "export {}");
  herald::test::write_file(dir.path() / "secret.txt", "do not serve");
  const std::string web = (dir.path() / "web").string();
  auto index = herald::adapters::static_file(web, "/");
  REQUIRE(index);
  CHECK(index->body == "<!doctype html>page");
  CHECK(index->content_type == "text/html; charset=utf-8");
  bool csp = false;
  for (const auto& [k, v] : index->headers) csp = csp || (k == "Content-Security-Policy" && v.find("script-src 'self'") != std::string::npos);
  CHECK(csp);
  CHECK(herald::adapters::static_file(web, "/app.js")->content_type == "text/javascript; charset=utf-8");
  for (const char* bad : {"/../secret.txt", "/..", "/.hidden", "/web/../secret.txt", "/%2e%2e/secret.txt",
                          "/a/app.js", "/v1/log", "/missing.js", ""}) {
    INFO(bad);
    CHECK_FALSE(herald::adapters::static_file(web, bad));
  }
  CHECK_FALSE(herald::adapters::static_file("", "/"));  // no folder, no page
}
