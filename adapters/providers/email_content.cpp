#include "adapters/providers/email_content.hpp"

#include <boost/json.hpp>

#include "domain/json_fields.hpp"

namespace json = boost::json;
using herald::domain::json_fields::str;

namespace herald::adapters::providers {

std::string address_of(const std::string& mb) {
  const auto open = mb.find('<');
  const auto close = mb.find('>', open == std::string::npos ? 0 : open);
  return open != std::string::npos && close != std::string::npos ? mb.substr(open + 1, close - open - 1) : mb;
}

std::string name_of(const std::string& mb) {
  const auto open = mb.find('<');
  if (open == std::string::npos) return {};
  std::string name = mb.substr(0, open);
  while (!name.empty() && (name.back() == ' ' || name.back() == '"')) name.pop_back();
  while (!name.empty() && (name.front() == ' ' || name.front() == '"')) name.erase(0, 1);
  return name;
}

result<email_content> read_email_content(const domain::attempt_view& attempt, const std::string& content_json) {
  if (attempt.recipient.email.empty()) {
    return status{errc::invalid_argument, "the recipient has no email address", "recipient.email"};
  }
  json::error_code ec;
  const json::value content = json::parse(content_json, ec);
  if (ec || !content.is_object()) {
    return status{errc::invalid_argument, "the attempt's content is not a JSON object", "content"};
  }
  const json::object& c = content.get_object();
  email_content out;
  out.subject = str(c, "subject").empty() ? attempt.subject : str(c, "subject");
  out.text = str(c, "text");
  out.html = str(c, "html");
  if (const json::value* atts = c.if_contains("attachments"); atts && atts->is_array()) {
    for (const auto& a : atts->get_array()) {
      if (!a.is_object()) continue;
      const auto& o = a.get_object();
      out.attachments.push_back({str(o, "name"), str(o, "content_type"), str(o, "body")});
    }
  }
  return out;
}

}  // namespace herald::adapters::providers
