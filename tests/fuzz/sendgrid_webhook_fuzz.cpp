// POST /v1/webhooks/sendgrid: the event body, and its signature headers
// (timestamp, signature) checked under a real P-256 key.
#include "adapters/providers/sendgrid_dialect.hpp"
#include "adapters/providers/webhook_signature.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace herald::adapters::providers;

namespace {
// A public key generated for this target (not a secret: verification only).
constexpr const char* public_key =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqcuzmbu/f5zXD6ZRvMwaKaX9qIPqZVz2bTegZ+ly4p8/j+hzdifR19IB0Vt6Dyp0+l2GJe4q589Lf/t3LeYn3A==";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = herald::fuzz::split_parts(data, size, 3);
  (void)verify_sendgrid_signature(public_key, parts[0], parts[2], parts[1]);
  (void)verify_sendgrid_signature(parts[0], parts[0], parts[2], parts[1]);  // a hostile key
  (void)parse_sendgrid_events(std::string(parts[2]));
  return 0;
}
