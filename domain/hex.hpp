#pragma once
// Lower-case hex of bytes: ids derived from digests (stable_hash_hex) and
// the opaque cursors of paged views (a key as text).

#include <string>
#include <string_view>

namespace herald::domain {

// Two characters per byte, high nibble first.
std::string to_hex(std::string_view bytes);

}  // namespace herald::domain
