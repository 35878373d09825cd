#pragma once
// The RFC 5322 / MIME message Herald hands to an MTA over SMTP, without I/O:
// multipart/alternative (text, HTML) inside multipart/mixed when there are
// attachments; UTF-8 throughout (bodies base64, a non-ASCII subject as an
// RFC 2047 encoded word); Message-ID and X-Herald-Attempt carry the attempt.

#include <string>
#include <vector>

#include "domain/communication.hpp"
#include "domain/status.hpp"

namespace herald::adapters::providers {

struct smtp_message {
  std::string mail_from;                // envelope sender
  std::vector<std::string> recipients;  // envelope: to, cc and bcc
  std::string data;                     // the message, CRLF line ends
};

// `from` is the configured sender ("Name <addr>" or "addr"); the action's
// sender wins when it is an address. `date` is the Date header's value.
result<smtp_message> build_smtp_message(const domain::attempt_view& attempt, const std::string& content_json,
                                        const std::string& from, const std::string& date);

}  // namespace herald::adapters::providers
