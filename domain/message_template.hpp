#pragma once
// Message templates (SPEC §4): a subject and bodies (HTML and text) with
// merge fields `@@Field` and `@@Link.Field` (any number of hops), and
// documents to attach, themselves templated. A merge field is "@@" followed
// by a path (entity_path.hpp); a '.' not followed by a name ends it, so
// "on @@CourseDate.StartDate." ends the sentence, and when the whole path
// has no value its longest prefix that has one is used, so
// "certificate-@@Id.pdf" names a file. In HTML bodies merged
// values are HTML-escaped. A field that cannot be resolved is a render
// error naming it, never a blank.
//
//   {"channel": "email", "subject": "...", "html": "...", "text": "...",
//    "attachments": [{"name": "certificate.txt", "content_type": "text/plain",
//                     "body": "Certificate for @@User.FirstName"}]}

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "domain/status.hpp"

namespace herald::domain {

struct attachment_template {
  std::string name;
  std::string content_type = "text/plain";
  std::string body;
};

struct message_template {
  std::string channel;  // email | sms | post | einvoice | manual
  std::string subject;
  std::string html;
  std::string text;
  std::vector<attachment_template> attachments;
};

struct rendered_attachment {
  std::string name;
  std::string content_type;
  std::string body;
};

struct rendered_message {
  std::string subject;
  std::string html;
  std::string text;
  std::vector<rendered_attachment> attachments;
  // Every merge value used, by path: with the template version this is
  // enough to render the same bytes again.
  std::map<std::string, std::string> merge_values;
};

result<message_template> parse_template(const boost::json::value& json);

// Returns the merge-field paths used anywhere in the template, sorted,
// unique, each as written at its longest ("Id.pdf" for "@@Id.pdf").
std::vector<std::string> merge_fields(const message_template& t);

// Returns the value text for a path, nullopt when it cannot be resolved.
using merge_resolver = std::function<std::optional<std::string>(const std::string& path)>;

// Renders the template; a missing field is errc::invalid_argument with
// field() "@@Path" and a message naming where it was used.
result<rendered_message> render_template(const message_template& t, const merge_resolver& resolve);

// Returns the text form of a merged JSON value: strings as they are,
// numbers and booleans as JSON, null as nullopt.
std::optional<std::string> merge_text(const boost::json::value& v);

std::string html_escape(std::string_view text);

}  // namespace herald::domain
