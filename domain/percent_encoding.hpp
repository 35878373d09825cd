#pragma once
// Percent-encoding (RFC 3986) and application/x-www-form-urlencoded, used by
// the HTTP request targets, CloudEvents binary-mode headers and Twilio's
// forms alike.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::domain {

// Returns the value of a hex digit, -1 for any other character.
int hex_digit_value(char c);

// Decodes `in` into `out`; returns false on a malformed escape ("%zz", "%4").
// With `plus_is_space`, '+' is a space (forms and query strings).
bool percent_decode_into(std::string_view in, bool plus_is_space, std::string& out);

// Encodes every byte but the unreserved ones (A-Z a-z 0-9 - _ . ~).
std::string percent_encode(std::string_view text);

using form_params = std::vector<std::pair<std::string, std::string>>;

std::string form_encode(const form_params& params);
// Returns the pairs of a form or query string, in order; nullopt on a
// malformed escape.
std::optional<form_params> form_decode(std::string_view body);

}  // namespace herald::domain
