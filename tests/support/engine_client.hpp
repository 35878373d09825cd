#pragma once
// A `herald serve --time-skipping` child process with JSON helpers, for the
// end-to-end workflow tests: real binary, real RocksDB, real HTTP.

#include <algorithm>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "adapters/http/http_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace herald::test {

struct json_reply {
  long status = 0;
  boost::json::value body;
};

class engine_client {
 public:
  explicit engine_client(const std::string& data_dir, std::vector<std::string> extra = {"--time-skipping"})
      : server_(data_dir, extra),
        settles_(std::find(extra.begin(), extra.end(), "--time-skipping") != extra.end()) {}

  json_reply call(const std::string& method, const std::string& path, const std::string& body = {},
                  const std::string& content_type = "application/json") {
    auto r = client_.request(method, server_.url + path, {{"Content-Type", content_type}}, body);
    json_reply out;
    if (!r) {
      return out;
    }
    out.status = r->status;
    boost::json::error_code ec;
    out.body = boost::json::parse(r->body, ec);
    return out;
  }
  json_reply get(const std::string& path) { return call("GET", path); }
  json_reply put(const std::string& path, const std::string& body) { return call("PUT", path, body); }
  // Posts NDJSON events, then settles so that what they start is visible.
  json_reply ingest(const std::string& ndjson) {
    auto r = call("POST", "/v1/events", ndjson, "application/x-ndjson");
    if (r.status == 202 && settles_) settle();
    return r;
  }
  // Lets the engine handle everything already accepted (an advance of zero).
  json_reply settle() { return advance("PT0S"); }
  json_reply advance(const std::string& duration) {
    return call("POST", "/v1/admin/time", R"({"advance":")" + duration + "\"}");
  }
  // Returns the items of a list endpoint.
  boost::json::array items(const std::string& path) {
    auto r = get(path);
    if (r.status != 200 || !r.body.is_object()) return {};
    return r.body.at("items").as_array();
  }
  child_process& process() { return server_.process; }
  const std::string& url() const { return server_.url; }

 private:
  herald_server server_;
  bool settles_;
  adapters::http_client client_;
};

}  // namespace herald::test
