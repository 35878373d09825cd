#pragma once
// A blocking HTTP/1.1 client on libcurl, one connection kept alive per
// client. Not thread-safe: use one client per thread. Used by
// `herald ingest --url`, the tests and the benchmarks.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "domain/status.hpp"

namespace herald::adapters {

struct client_response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case

  std::string header(const std::string& lower_name) const;
};

class http_client {
 public:
  http_client();
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // Sends one request; a transport failure (refused, reset, timeout) is an
  // errc::unavailable status, any HTTP answer is a response.
  result<client_response> request(const std::string& method, const std::string& url,
                                  const std::vector<std::pair<std::string, std::string>>& headers = {},
                                  const std::string& body = {},
                                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  void* curl_;  // CURL*, kept opaque so callers need no curl headers
};

}  // namespace herald::adapters
