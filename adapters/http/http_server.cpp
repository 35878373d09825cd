#include "adapters/http/http_server.hpp"

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "adapters/http/json_error.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace herald::adapters {
namespace {

struct server_shared {
  http_server_options options;
  http_handler handler;
  std::atomic<std::uint32_t> in_flight{0};
  // Responders running now (on any thread). stop() waits for these too: a
  // responder still holds a copy of its session's executor after the
  // response it posted has run and taken the request off `in_flight`.
  std::atomic<std::uint32_t> responding{0};
};

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, std::shared_ptr<server_shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}

  void run() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

 private:
  void read_header() {
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    parser_->header_limit(shared_->options.max_header_bytes);
    stream_.expires_after(shared_->options.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      return on_read_error(ec);
    }
    auto length = parser_->content_length();
    if (length && *length > shared_->options.max_body_bytes) {
      return reject(413, status{errc::too_large, "request body of " + std::to_string(*length) +
                                                     " bytes exceeds the limit of " +
                                                     std::to_string(shared_->options.max_body_bytes)});
    }
    const auto& req = parser_->get();
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto res = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(stream_, *res,
                        [self = shared_from_this(), res](beast::error_code wec, std::size_t) {
                          if (wec) {
                            return self->close();
                          }
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(shared_->options.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) {
                         return self->on_read_error(ec);
                       }
                       self->dispatch();
                     });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return reject(413, status{errc::too_large,
                                "request body exceeds the limit of " +
                                    std::to_string(shared_->options.max_body_bytes) + " bytes"});
    }
    if (ec == http::error::header_limit) {
      return reject(431, status{errc::too_large, "request headers are too large"});
    }
    if (ec.category() == beast::error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return reject(400, status{errc::parse_error, "malformed HTTP request: " + ec.message()});
    }
    close();
  }

  // Answers and closes: the rest of the request was not read.
  void reject(int code, const status& st) {
    keep_alive_ = false;
    write(error_response(code, st));
  }

  void dispatch() {
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    if (shared_->in_flight.fetch_add(1) >= shared_->options.max_in_flight) {
      shared_->in_flight.fetch_sub(1);
      return write(error_response(
          503, status{errc::unavailable, "the server is at its limit of requests in flight; retry"}));
    }
    http_request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    if (!parse_target(request.target, request.path, request.query)) {
      shared_->in_flight.fetch_sub(1);
      return write(error_response(
          400, status{errc::invalid_argument, "malformed percent-escape in the request target"}));
    }
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(req.body());
    // The responder runs once, often on another thread (the store's
    // committer). It hands its reference to the session over to the posted
    // handler, so the session is never destroyed off its own executor (ASan
    // found a socket closed on the committer thread after the server had
    // gone), and is counted in `responding` until it holds nothing of the
    // server's I/O (UBSan found its executor copy released after stop() had
    // destroyed the io_context). The request leaves `in_flight` before its
    // answer is written, so a client that has the answer may send again.
    http_responder respond = [self = shared_from_this()](http_response response) mutable {
      auto shared = self->shared_;
      shared->responding.fetch_add(1);
      {
        auto executor = self->stream_.get_executor();
        net::post(executor, [session = std::move(self), response = std::move(response)]() mutable {
          session->shared_->in_flight.fetch_sub(1);
          session->write(std::move(response));
        });
      }
      shared->responding.fetch_sub(1);
    };
    try {
      shared_->handler(std::move(request), std::move(respond));
    } catch (const std::exception& e) {
      // The outermost edge: a handler bug answers 500 instead of killing the server.
      shared_->in_flight.fetch_sub(1);
      write(error_response(500, status{errc::io_error, std::string("internal error: ") + e.what()}));
    }
  }

  void write(http_response r) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "herald");
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) {
      res->set(name, value);
    }
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    stream_.expires_after(shared_->options.idle_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !self->keep_alive_) {
                          return self->close();
                        }
                        self->read_header();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<server_shared> shared_;
  bool keep_alive_ = false;
};

class beast_http_server final : public http_server {
 public:
  beast_http_server(std::shared_ptr<server_shared> shared)
      : shared_(std::move(shared)), acceptor_(ioc_), accept_strand_(net::make_strand(ioc_)) {}

  // Requests under way get up to 5 s to answer before the I/O stops: their
  // sessions must not outlive the io_context.
  ~beast_http_server() override { stop(std::chrono::seconds(5)); }

  status listen() {
    beast::error_code ec;
    net::ip::address address;
    if (shared_->options.host == "localhost") {
      address = net::ip::make_address("127.0.0.1");
    } else {
      address = net::ip::make_address(shared_->options.host, ec);
      if (ec) {
        return status{errc::invalid_argument,
                      "listen host '" + shared_->options.host + "' is not an IP address",
                      "listen"};
      }
    }
    tcp::endpoint endpoint(address, shared_->options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return status{errc::io_error, "cannot listen on " + shared_->options.host + ":" +
                                        std::to_string(shared_->options.port) + ": " + ec.message(),
                    "listen"};
    }
    port_ = acceptor_.local_endpoint().port();
    accept();
    for (std::uint32_t i = 0; i < shared_->options.threads; ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return status::ok();
  }

  std::uint16_t port() const override { return port_; }

  void stop(std::chrono::milliseconds drain_timeout) override {
    if (stopped_.exchange(true)) {
      return;
    }
    net::post(accept_strand_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    // Let handlers in flight answer; their responses are posted to ioc_.
    const auto deadline = std::chrono::steady_clock::now() + drain_timeout;
    while ((shared_->in_flight.load() > 0 || shared_->responding.load() > 0) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ioc_.stop();
    for (auto& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
  }

 private:
  // The acceptor is used on accept_strand_ only: with several I/O threads,
  // stop()'s close could otherwise run between an accept handler's
  // is_open() and its next async_accept, which then starts on a closed
  // descriptor (UBSan found it in a loaded CI run).
  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           net::bind_executor(accept_strand_, [this](beast::error_code ec, tcp::socket socket) {
                             if (!ec) {
                               std::make_shared<session>(std::move(socket), shared_)->run();
                             }
                             if (acceptor_.is_open()) {
                               accept();
                             }
                           }));
  }

  std::shared_ptr<server_shared> shared_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::strand<net::io_context::executor_type> accept_strand_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

result<std::unique_ptr<http_server>> http_server::start(http_server_options options,
                                                        http_handler handler) {
  auto shared = std::make_shared<server_shared>();
  shared->options = std::move(options);
  shared->handler = std::move(handler);
  auto server = std::make_unique<beast_http_server>(shared);
  if (auto st = server->listen(); !st) {
    return st;
  }
  return std::unique_ptr<http_server>(std::move(server));
}

}  // namespace herald::adapters
