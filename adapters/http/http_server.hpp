#pragma once
// An asynchronous HTTP/1.1 server on Boost.Beast: keep-alive, a bounded
// request body (413 beyond it, also announced early by Content-Length), a
// header size limit, `Expect: 100-continue`, and a bound on requests being
// handled at once (503 with Retry-After beyond it). Each request goes to the
// handler as an http_request; the handler answers through the responder from
// any thread.
//
// Threading: `threads` I/O threads run one io_context; each connection is on
// its own strand. stop() closes the listener, lets requests in flight finish
// for up to `drain_timeout`, then stops the threads.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/http/http_message.hpp"
#include "domain/status.hpp"

namespace herald::adapters {

struct http_server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  std::uint64_t max_body_bytes = 10ull * 1024 * 1024;
  std::uint32_t max_header_bytes = 64 * 1024;
  std::uint32_t max_in_flight = 256;
  std::uint32_t threads = 2;
  std::chrono::seconds idle_timeout{60};
};

class http_server {
 public:
  // Binds, listens and starts the I/O threads.
  static result<std::unique_ptr<http_server>> start(http_server_options options,
                                                    http_handler handler);
  virtual ~http_server() = default;

  // Returns the port actually bound (useful with port 0).
  virtual std::uint16_t port() const = 0;
  virtual void stop(std::chrono::milliseconds drain_timeout) = 0;
};

}  // namespace herald::adapters
