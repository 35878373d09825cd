#pragma once
// application/x-www-form-urlencoded, as Twilio speaks it.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::adapters::providers {

using form_params = std::vector<std::pair<std::string, std::string>>;

std::string url_encode(std::string_view text);
std::string form_encode(const form_params& params);
// Returns nullopt on a malformed escape.
std::optional<form_params> form_decode(std::string_view body);

}  // namespace herald::adapters::providers
