#pragma once
// Twilio's Messages dialect, without I/O: the Create Message form for an
// attempt, its answer, and status callbacks in Herald's words.
//
// Create Message: POST {base_url}/2010-04-01/Accounts/{sid}/Messages.json,
// form-encoded, basic auth (account sid, auth token); 201 carries the
// message "sid". The StatusCallback URL carries Herald's attempt id as the
// query parameter "herald_attempt", so every callback finds its attempt
// (Twilio signs the URL with it).

#include <string>

#include "adapters/providers/form_encoding.hpp"
#include "adapters/providers/provider_event.hpp"
#include "domain/communication.hpp"
#include "domain/status.hpp"

namespace herald::adapters::providers {

struct twilio_settings {
  std::string from;                 // E.164 sender number or messaging service sid (MG...)
  std::string status_callback_url;  // empty: no callbacks
};

// Returns the Create Message form for an attempt, or invalid_argument
// naming what makes it unsendable (no or malformed mobile number).
result<form_params> twilio_message_form(const domain::attempt_view& attempt, const std::string& content_json,
                                        const twilio_settings& settings);

// Returns the status callback URL for one attempt.
std::string twilio_callback_url(const std::string& base, const std::string& attempt_id);

struct twilio_answer {
  std::string sid;
  std::string status;  // Twilio's word: queued, accepted, ...
};
// Reads a Create Message answer body (JSON).
result<twilio_answer> parse_twilio_answer(const std::string& body);
// Reads an error answer's message ("code: message"), or the body itself.
std::string twilio_error_reason(const std::string& body);

// Reads a status callback's form (and the attempt id from the query string
// of the URL it was posted to).
result<provider_event> parse_twilio_callback(const form_params& form, const std::string& query);

}  // namespace herald::adapters::providers
