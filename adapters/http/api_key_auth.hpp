#pragma once
// Bearer API keys (SPEC §10). Keys are compared as SHA-256 digests with a
// constant-time comparison over every configured key, so neither the key's
// content nor its position leaks through timing.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "domain/config.hpp"

namespace herald::adapters {

class api_key_auth {
 public:
  explicit api_key_auth(const std::vector<domain::api_key_config>& keys);

  // Returns true when keys are configured (and therefore required).
  bool enabled() const { return !keys_.empty(); }

  // Returns the key matching an `Authorization: Bearer KEY` header value,
  // nullopt when absent or unknown.
  std::optional<domain::api_key_config> authenticate(
      const std::optional<std::string>& authorization) const;

 private:
  struct entry {
    std::array<unsigned char, 32> digest;
    domain::api_key_config key;
  };
  std::vector<entry> keys_;
};

}  // namespace herald::adapters
