#pragma once
// SendGrid's v3 dialect, without I/O: the Mail Send request for an attempt
// and the Event Webhook's events in Herald's words.
//
// Mail Send: POST {base_url}/v3/mail/send with a bearer key; 202 Accepted
// carries the message id in X-Message-Id. Herald's attempt id travels in
// custom_args ("herald_attempt"), which SendGrid flattens into every
// webhook event of the message: that is how events find their attempt.

#include <string>
#include <vector>

#include "adapters/providers/provider_event.hpp"
#include "domain/communication.hpp"
#include "domain/status.hpp"

namespace herald::adapters::providers {

inline constexpr const char* attempt_arg = "herald_attempt";

struct sendgrid_sender {
  std::string email;
  std::string name;
};

// Returns the Mail Send JSON body for an attempt and its content snapshot
// ({"subject","html","text","attachments":[{"name","content_type","body"}]}),
// or invalid_argument naming what makes it unsendable (no address).
result<std::string> sendgrid_mail_body(const domain::attempt_view& attempt, const std::string& content_json,
                                       const sendgrid_sender& from);

// Returns the events of an Event Webhook body (a JSON array), or
// invalid_argument naming the bad entry.
result<std::vector<provider_event>> parse_sendgrid_events(const std::string& body);

}  // namespace herald::adapters::providers
