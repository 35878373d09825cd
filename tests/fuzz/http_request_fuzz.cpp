// The HTTP glue in front of every handler: Beast's request parser with the
// server's header and body limits, then the target split and
// percent-decoding that routing and query parameters rely on.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "adapters/http/http_message.hpp"
#include "adapters/http/query_params.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace http = boost::beast::http;
using namespace herald::adapters;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) {
    return 0;
  }
  const auto& req = parser.get();
  http_request request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  if (!parse_target(request.target, request.path, request.query)) {
    return 0;
  }
  for (const auto& field : req) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  (void)uint_param(request, "limit", 50, 1, 500);
  (void)time_param(request, "from");
  (void)text_param(request, "q");
  (void)request.header("content-type");
  return 0;
}
