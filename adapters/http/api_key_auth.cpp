#include "adapters/http/api_key_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace herald::adapters {
namespace {
std::array<unsigned char, 32> digest_of(const std::string& s) {
  std::array<unsigned char, 32> d{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}
}  // namespace

api_key_auth::api_key_auth(const std::vector<domain::api_key_config>& keys) {
  for (const auto& k : keys) {
    keys_.push_back(entry{digest_of(k.key), k});
  }
}

std::optional<domain::api_key_config> api_key_auth::authenticate(
    const std::optional<std::string>& authorization) const {
  const std::string prefix = "Bearer ";
  if (!authorization || authorization->size() <= prefix.size() ||
      authorization->compare(0, prefix.size(), prefix) != 0) {
    return std::nullopt;
  }
  const auto presented = digest_of(authorization->substr(prefix.size()));
  const entry* match = nullptr;
  for (const auto& e : keys_) {
    if (CRYPTO_memcmp(e.digest.data(), presented.data(), presented.size()) == 0) {
      match = &e;
    }
  }
  if (!match) {
    return std::nullopt;
  }
  return match->key;
}

}  // namespace herald::adapters
