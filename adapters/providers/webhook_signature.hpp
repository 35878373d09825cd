#pragma once
// Signatures that prove a webhook came from its provider (SPEC §5). Both
// compare in constant time and never throw.
//
// SendGrid Event Webhook: ECDSA P-256 with SHA-256 over the bytes of the
//   X-Twilio-Email-Event-Webhook-Timestamp header value followed by the raw
//   request body; the signature header is base64 DER (r, s); the key is the
//   base64 DER SubjectPublicKeyInfo shown in SendGrid's settings.
// Twilio: X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + for each
//   parameter name in order, each of its distinct values in order: name +
//   value)). As in Twilio's own validators, the URL is tried with a port
//   (the default one added when absent) and without any.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/providers/form_encoding.hpp"

namespace herald::adapters::providers {

// Returns true when `signature_b64` signs timestamp + body under the key.
// A malformed key or signature is simply not valid.
bool verify_sendgrid_signature(std::string_view public_key_b64, std::string_view timestamp,
                               std::string_view body, std::string_view signature_b64);

// The signature Twilio computes for `url` and the posted form parameters.
std::string twilio_signature(std::string_view auth_token, std::string_view url, const form_params& params);

// Checks `signature` against `url` with a port (the default added when it
// has none) and without any port.
bool verify_twilio_signature(std::string_view auth_token, std::string_view url, const form_params& params,
                             std::string_view signature);

// Compares two byte strings in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace herald::adapters::providers
