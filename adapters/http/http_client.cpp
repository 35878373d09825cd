#include "adapters/http/http_client.hpp"

#include <curl/curl.h>

#include "adapters/providers/curl_io.hpp"

namespace herald::adapters {
namespace {

struct curl_global {
  curl_global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

std::string client_response::header(const std::string& lower_name) const { return find_header(headers, lower_name); }

http_client::http_client() {
  static curl_global init;
  curl_ = curl_easy_init();
}

http_client::~http_client() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

result<client_response> http_client::request(
    const std::string& method, const std::string& url,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
    std::chrono::milliseconds timeout) {
  CURL* c = static_cast<CURL*>(curl_);
  client_response response;
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  // No 100-continue round trip: our server answers without it.
  list = curl_slist_append(list, "Expect:");
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, curl_collect_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  if (method != "GET" && method != "HEAD") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    return status{errc::unavailable, method + " " + url + " failed: " + curl_easy_strerror(rc)};
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace herald::adapters
