#pragma once
// SHA-256 of a byte string, for ids derived from keys (stable_hash_hex) and
// the sandbox provider's reproducible outcomes.

#include <array>
#include <cstdint>
#include <string_view>

namespace herald::domain {

using sha256_digest = std::array<std::uint8_t, 32>;

sha256_digest sha256(std::string_view bytes);

}  // namespace herald::domain
