#pragma once
// What both libcurl clients (adapters/http/http_client, curl_multi_client)
// do with an answer: append the body, collect headers with lower-case names.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace herald::adapters {

using header_list = std::vector<std::pair<std::string, std::string>>;  // names lower-case

// CURLOPT_WRITEFUNCTION with a std::string* as CURLOPT_WRITEDATA.
std::size_t curl_append_body(char* data, std::size_t size, std::size_t count, void* body);
// CURLOPT_HEADERFUNCTION with a header_list* as CURLOPT_HEADERDATA; a new
// status line (after 100 Continue or a redirect) starts the list again.
std::size_t curl_collect_header(char* data, std::size_t size, std::size_t count, void* headers);

// The first header named `lower_name`, "" when absent.
std::string find_header(const header_list& headers, const std::string& lower_name);

}  // namespace herald::adapters
