#include "adapters/providers/curl_multi_client.hpp"

#include <algorithm>
#include <cstring>
#include <map>

#include <curl/curl.h>

#include "adapters/providers/curl_io.hpp"

namespace herald::adapters::providers {

std::string outbound_response::header(const std::string& lower_name) const { return find_header(headers, lower_name); }

struct curl_multi_client::call {
  outbound_request request;
  std::function<void(outbound_response)> done;
  outbound_response response;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* recipients = nullptr;
  std::size_t uploaded = 0;  // SMTP: bytes of the body already read by curl
  std::chrono::steady_clock::time_point started;
};

namespace {

// CURLOPT_READFUNCTION for SMTP: the message, from where curl left off.
std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* c = static_cast<curl_multi_client::call*>(user);
  const std::string& body = c->request.body;
  const std::size_t n = std::min(size * count, body.size() - c->uploaded);
  std::memcpy(buffer, body.data() + c->uploaded, n);
  c->uploaded += n;
  return n;
}

}  // namespace

curl_multi_client::curl_multi_client(long max_connections_per_host) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialised;
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, max_connections_per_host);
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, max_connections_per_host * 4);
  thread_ = std::thread([this] { run(); });
}

curl_multi_client::~curl_multi_client() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  thread_.join();
  curl_multi_cleanup(multi_);
}

void curl_multi_client::submit(outbound_request request, std::function<void(outbound_response)> done) {
  auto* c = new call{std::move(request), std::move(done), {}, nullptr, nullptr, nullptr, 0, {}};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_) {
      incoming_.push_back(c);
      c = nullptr;
    }
  }
  if (c) {
    c->response.transport_error = "the HTTP client is stopping";
    c->done(std::move(c->response));
    delete c;
    return;
  }
  curl_multi_wakeup(multi_);
}

void curl_multi_client::run() {
  std::map<CURL*, call*> active;
  auto finish = [&](call* c) {
    c->response.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - c->started).count();
    curl_multi_remove_handle(multi_, c->easy);
    curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    curl_slist_free_all(c->recipients);
    c->done(std::move(c->response));
    delete c;
  };
  for (;;) {
    std::deque<call*> fresh;
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fresh.swap(incoming_);
      stopping = stopping_;
    }
    for (call* c : fresh) {
      if (stopping) {
        c->response.transport_error = "the HTTP client is stopping";
        c->done(std::move(c->response));
        delete c;
        continue;
      }
      CURL* e = curl_easy_init();
      c->easy = e;
      c->started = std::chrono::steady_clock::now();
      curl_easy_setopt(e, CURLOPT_URL, c->request.url.c_str());
      if (!c->request.mail_rcpt.empty()) {
        curl_easy_setopt(e, CURLOPT_MAIL_FROM, ("<" + c->request.mail_from + ">").c_str());
        for (const auto& r : c->request.mail_rcpt) c->recipients = curl_slist_append(c->recipients, ("<" + r + ">").c_str());
        curl_easy_setopt(e, CURLOPT_MAIL_RCPT, c->recipients);
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, read_body);
        curl_easy_setopt(e, CURLOPT_READDATA, c);
        curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(c->request.body.size()));
        curl_easy_setopt(e, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
      } else {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, c->request.method.c_str());
      }
      if (c->request.mail_rcpt.empty() && (c->request.method == "POST" || c->request.method == "PUT")) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->request.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(c->request.body.size()));
      }
      if (c->request.mail_rcpt.empty()) {
        for (const auto& [k, v] : c->request.headers) c->headers = curl_slist_append(c->headers, (k + ": " + v).c_str());
        c->headers = curl_slist_append(c->headers, "Expect:");  // no 100-continue round trip
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
      }
      if (!c->request.basic_auth.empty()) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERPWD, c->request.basic_auth.c_str());
      }
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(c->request.timeout.count()));
      curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, std::min<long>(5000, static_cast<long>(c->request.timeout.count())));
      curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, curl_append_body);
      curl_easy_setopt(e, CURLOPT_WRITEDATA, &c->response.body);
      curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, curl_collect_header);
      curl_easy_setopt(e, CURLOPT_HEADERDATA, &c->response.headers);
      curl_easy_setopt(e, CURLOPT_PRIVATE, c);
      curl_multi_add_handle(multi_, e);
      active[e] = c;
    }
    if (stopping) {
      for (auto& [easy, c] : active) {
        c->response.transport_error = "the HTTP client is stopping";
        finish(c);
      }
      return;
    }
    int running = 0;
    curl_multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      call* c = active[msg->easy_handle];
      active.erase(msg->easy_handle);
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &c->response.status);
      if (msg->data.result != CURLE_OK) c->response.transport_error = curl_easy_strerror(msg->data.result);
      finish(c);
    }
    curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
  }
}

}  // namespace herald::adapters::providers
