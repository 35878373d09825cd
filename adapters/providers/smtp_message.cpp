#include "adapters/providers/smtp_message.hpp"

#include <set>


#include "adapters/providers/email_content.hpp"
#include "domain/base64.hpp"
#include "domain/communication.hpp"


namespace herald::adapters::providers {
namespace {

bool ascii(const std::string& s) {
  for (unsigned char c : s) {
    if (c >= 0x80 || c < 0x20) return false;
  }
  return true;
}

// A header value: as is when plain ASCII, else an RFC 2047 encoded word.
std::string header_text(const std::string& s) {
  return ascii(s) ? s : "=?UTF-8?B?" + domain::base64_encode(s) + "?=";
}

std::string mailbox(const std::string& name, const std::string& address) {
  if (name.empty()) return "<" + address + ">";
  std::string quoted;
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return (ascii(name) ? "\"" + quoted + "\"" : header_text(name)) + " <" + address + ">";
}

// Base64 in lines of 76, as MIME wants.
std::string base64_lines(const std::string& bytes) {
  const std::string b = domain::base64_encode(bytes);
  std::string out;
  for (std::size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

std::string part(const std::string& type, const std::string& body, const std::string& extra_headers = {}) {
  return "Content-Type: " + type + "\r\nContent-Transfer-Encoding: base64\r\n" + extra_headers + "\r\n" +
         base64_lines(body);
}

// No CR or LF may reach a header from data.
std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

result<smtp_message> build_smtp_message(const domain::attempt_view& attempt, const std::string& content_json,
                                        const std::string& from, const std::string& date) {
  auto content = read_email_content(attempt, content_json);
  if (!content) return content.error();
  smtp_message m;
  const std::string sender = attempt.sender.find('@') != std::string::npos ? attempt.sender : from;
  m.mail_from = address_of(sender);
  std::set<std::string> seen;
  std::vector<std::string> to, cc;
  auto add = [&](const domain::recipient_info& r, std::vector<std::string>* header) {
    if (r.email.empty() || !seen.insert(r.email).second) return;
    m.recipients.push_back(r.email);
    if (header) header->push_back(mailbox(one_line(r.name), one_line(r.email)));
  };
  add(attempt.recipient, &to);
  for (const auto& r : attempt.cc) add(r, &cc);
  for (const auto& r : attempt.bcc) add(r, nullptr);  // envelope only

  const std::string& subject = content->subject;
  auto join = [](const std::vector<std::string>& list) {
    std::string out;
    for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  std::string& d = m.data;
  d += "From: " + mailbox(one_line(name_of(sender)), one_line(address_of(sender))) + "\r\n";
  d += "To: " + join(to) + "\r\n";
  if (!cc.empty()) d += "Cc: " + join(cc) + "\r\n";
  d += "Subject: " + header_text(one_line(subject)) + "\r\n";
  d += "Date: " + date + "\r\n";
  d += "Message-ID: <" + attempt.id + "@herald>\r\n";
  d += "X-Herald-Attempt: " + one_line(attempt.id) + "\r\n";
  d += "MIME-Version: 1.0\r\n";

  const std::string &text = content->text, &html = content->html;
  const std::string inner = "herald-alt-" + domain::stable_hash_hex(attempt.id, 16);
  std::string alternative = "Content-Type: multipart/alternative; boundary=\"" + inner + "\"\r\n\r\n";
  alternative += "--" + inner + "\r\n" + part("text/plain; charset=utf-8", text.empty() ? subject : text);
  if (!html.empty()) alternative += "--" + inner + "\r\n" + part("text/html; charset=utf-8", html);
  alternative += "--" + inner + "--\r\n";

  if (content->attachments.empty()) {
    d += alternative;
    return m;
  }
  const std::string outer = "herald-mix-" + domain::stable_hash_hex(attempt.id, 16);
  d += "Content-Type: multipart/mixed; boundary=\"" + outer + "\"\r\n\r\n";
  d += "--" + outer + "\r\n" + alternative;
  for (const auto& a : content->attachments) {
    const std::string type = a.content_type.empty() ? "application/octet-stream" : a.content_type;
    d += "--" + outer + "\r\n" +
         part(one_line(type), a.body, "Content-Disposition: attachment; filename=\"" + one_line(a.name) + "\"\r\n");
  }
  d += "--" + outer + "--\r\n";
  return m;
}

}  // namespace herald::adapters::providers
