#pragma once
// application/x-www-form-urlencoded, as Twilio speaks it (domain/percent_encoding).

#include "domain/percent_encoding.hpp"

namespace herald::adapters::providers {

using domain::form_decode;
using domain::form_encode;
using domain::form_params;
inline std::string url_encode(std::string_view text) { return domain::percent_encode(text); }

}  // namespace herald::adapters::providers
