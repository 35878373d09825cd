#pragma once
// The one error shape of the API (SPEC §3):
//   {"error": {"code": "...", "message": "...", "index": i, "field": "..."}}
// with "index" and "field" present only when the status carries them.

#include <string>

#include <boost/json/value.hpp>

#include "adapters/http/http_message.hpp"
#include "domain/status.hpp"

namespace herald::adapters {

std::string error_body(const status& st);
// Returns a response with `body` serialized as its JSON body.
http_response json_response(int http_status, const boost::json::value& body);
http_response error_response(int http_status, const status& st);

// Returns the HTTP status that fits an error code (400, 404, 409, 413, 415,
// 503, 500).
int http_status_for(errc code);

}  // namespace herald::adapters
