#pragma once
// A fake provider for tests: a loopback HTTP server (Herald's own Beast
// server) that records every request and answers with a script, so a test
// can make it accept, fail with 429/5xx, refuse with 4xx, or go silent.
// It speaks whatever dialect the script answers in (SendGrid, Twilio).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/http/http_server.hpp"

namespace herald::test {

class fake_provider {
 public:
  using answer_fn = std::function<adapters::http_response(const adapters::http_request&, std::size_t index)>;

  // `answer` gets each request and its 0-based index among all requests;
  // an answer with status 0 stalls: that request is never answered.
  explicit fake_provider(answer_fn answer) : answer_(std::move(answer)) {
    adapters::http_server_options o;
    o.port = 0;
    auto started = adapters::http_server::start(o, [this](adapters::http_request req, adapters::http_responder respond) {
      std::size_t index;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        index = requests_.size();
        requests_.push_back(req);
      }
      changed_.notify_all();
      auto answer = answer_(req, index);
      if (answer.status == 0) {
        // A stalled provider: the request is never answered.
        std::lock_guard<std::mutex> lock(mutex_);
        stalled_.push_back(std::move(respond));
        return;
      }
      respond(std::move(answer));
    });
    server_ = std::move(*started);
  }
  ~fake_provider() {
    server_->stop(std::chrono::seconds(1));
    // Stalled requests hold their sessions: release them while the server
    // (and its io_context) still exists.
    std::lock_guard<std::mutex> lock(mutex_);
    stalled_.clear();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // Waits until `n` requests came in (or `timeout` passed); returns them.
  std::vector<adapters::http_request> wait_for(std::size_t n,
                                              std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
    return requests_;
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_.size();
  }

 private:
  answer_fn answer_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<adapters::http_request> requests_;
  std::vector<adapters::http_responder> stalled_;
  std::unique_ptr<adapters::http_server> server_;
};

inline adapters::http_response http_answer(int status, std::string body,
                                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  adapters::http_response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace herald::test
