#pragma once
// An attempt's content snapshot read for an email provider (SendGrid, SMTP).

#include <string>
#include <vector>

#include "domain/communication.hpp"
#include "domain/status.hpp"

namespace herald::adapters::providers {

struct email_attachment {
  std::string name;
  std::string content_type;
  std::string body;
};

struct email_content {
  std::string subject;  // the content's, else the attempt's
  std::string text;
  std::string html;
  std::vector<email_attachment> attachments;
};

// The address inside "Name <addr>" (or the text itself), and the name.
std::string address_of(const std::string& mailbox);
std::string name_of(const std::string& mailbox);

// Returns the content of `content_json` ({"subject","html","text",
// "attachments"}), or invalid_argument when the attempt has no address or
// the content is not an object.
result<email_content> read_email_content(const domain::attempt_view& attempt, const std::string& content_json);

}  // namespace herald::adapters::providers
