#pragma once
// Transport-neutral HTTP request and response, so that API handlers compile
// without Beast and can be tested without sockets. The Beast server
// (http_server.hpp) translates to and from these.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::adapters {

struct http_request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path and query
  std::string path;    // percent-decoded path without the query
  std::map<std::string, std::string> query;                 // percent-decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  // Who is asking: the API key's name once authenticated, "anonymous" on an
  // open (loopback, keyless) API, the provider for a signed webhook. Every
  // change an operator makes is recorded with it.
  std::string caller;

  // Returns the first header with this lower-case name, nullopt if absent.
  std::optional<std::string> header(std::string_view name) const;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Completes a request. May be called from any thread, exactly once.
using http_responder = std::function<void(http_response)>;
using http_handler = std::function<void(http_request, http_responder)>;

// Splits a target into path and query and percent-decodes both
// ('+' is a space in the query only). Returns false on a malformed escape.
bool parse_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query);

std::string percent_decode(std::string_view in, bool plus_is_space);

}  // namespace herald::adapters
