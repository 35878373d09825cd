#pragma once
// Non-blocking HTTP for provider actors: one thread drives libcurl's multi
// interface, so no provider call ever blocks a CAF scheduler thread.
// Connections are kept alive and reused per host (at most
// `max_connections` each). Callbacks run on the client's thread: they must
// be quick (provider actors just send themselves a message).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace herald::adapters::providers {

struct outbound_request {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string basic_auth;  // "user:password", or empty
  std::chrono::milliseconds timeout{10000};
  // SMTP (url smtp://host:port or smtps://): the envelope; `body` is the
  // message, uploaded as DATA. STARTTLS is used when the server offers it.
  std::string mail_from;
  std::vector<std::string> mail_rcpt;
};

struct outbound_response {
  std::string transport_error;  // non-empty: the call failed (refused, reset, timed out, refused by SMTP)
  long status = 0;              // HTTP status, or the last SMTP reply code (also when it failed)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  double seconds = 0;                                         // request to answer

  std::string header(const std::string& lower_name) const;
};

class curl_multi_client {
 public:
  explicit curl_multi_client(long max_connections_per_host = 64);
  // Stops the thread; calls still in flight answer with a transport error.
  ~curl_multi_client();
  curl_multi_client(const curl_multi_client&) = delete;
  curl_multi_client& operator=(const curl_multi_client&) = delete;

  void submit(outbound_request request, std::function<void(outbound_response)> done);

  struct call;  // one request in flight (curl_multi_client.cpp)

 private:
  void run();

  void* multi_;  // CURLM*
  std::mutex mutex_;
  std::deque<call*> incoming_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace herald::adapters::providers
