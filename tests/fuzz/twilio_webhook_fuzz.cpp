// POST /v1/webhooks/twilio: the form body, the query string of the
// callback URL, the X-Twilio-Signature header; and a Create Message answer.
#include "adapters/providers/twilio_dialect.hpp"
#include "adapters/providers/webhook_signature.hpp"
#include "domain/percent_encoding.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace herald::adapters::providers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = herald::fuzz::split_parts(data, size, 3);
  auto form = herald::domain::form_decode(parts[2]);
  if (form) {
    std::string url = "https://herald.example:8443/v1/webhooks/twilio?" + std::string(parts[0]);
    (void)verify_twilio_signature("12345", url, *form, parts[1]);
    (void)parse_twilio_callback(*form, std::string(parts[0]));
  }
  (void)parse_twilio_answer(std::string(parts[2]));
  (void)twilio_error_reason(std::string(parts[2]));
  return 0;
}
