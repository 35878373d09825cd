#pragma once
// Standard base64 (RFC 4648 §4, with padding).

#include <optional>
#include <string>
#include <string_view>

namespace herald::domain {

std::string base64_encode(std::string_view bytes);
// Returns nullopt when `text` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace herald::domain
