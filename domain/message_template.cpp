#include "domain/message_template.hpp"

#include <cctype>
#include <set>

#include <boost/json.hpp>

namespace json = boost::json;

namespace herald::domain {
namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Calls on_text for literal runs and on_field for each merge-field path.
template <class Text, class Field>
void scan(std::string_view s, Text on_text, Field on_field) {
  std::size_t pos = 0, literal = 0;
  while ((pos = s.find("@@", pos)) != std::string_view::npos) {
    std::size_t end = pos + 2;
    if (end >= s.size() || !name_start(s[end])) {
      pos += 2;
      continue;
    }
    for (;;) {
      while (end < s.size() && name_char(s[end])) ++end;
      if (end + 1 < s.size() && s[end] == '.' && name_start(s[end + 1])) {
        ++end;
        continue;
      }
      break;
    }
    on_text(s.substr(literal, pos - literal));
    on_field(s.substr(pos + 2, end - pos - 2));
    pos = literal = end;
  }
  on_text(s.substr(literal));
}

// Appends `text` to `out`, HTML-escaped (html_escape's rules).
void append_html_escaped(std::string& out, std::string_view text) {
  std::size_t plain = 0;  // start of the run not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      case '\'': entity = "&#39;"; break;
      default: continue;
    }
    out.append(text.data() + plain, i - plain);
    out += entity;
    plain = i + 1;
  }
  out.append(text.data() + plain, text.size() - plain);
}

// Renders every merge field of `text`. Each value goes into `used` once,
// under the path that had it (a path used again is not copied again).
result<std::string> render_text(std::string_view text, const char* where, bool escape,
                                const merge_resolver& resolve,
                                std::map<std::string, std::string>& used) {
  std::string out;
  out.reserve(text.size() + 64);  // most values are longer than their "@@Path"
  status failure;
  std::string candidate;
  scan(
      text, [&](std::string_view lit) { out.append(lit.data(), lit.size()); },
      [&](std::string_view path) {
        if (!failure.is_ok()) return;
        // "@@Id.txt": when the whole path has no value, a shorter one may,
        // and what follows it is literal text.
        candidate.assign(path.data(), path.size());
        for (;;) {
          if (auto value = resolve(candidate)) {
            if (escape) {
              append_html_escaped(out, *value);
            } else {
              out += *value;
            }
            const std::string_view rest = path.substr(candidate.size());
            out.append(rest.data(), rest.size());
            used.try_emplace(candidate, std::move(*value));
            return;
          }
          auto dot = candidate.rfind('.');
          if (dot == std::string::npos) break;
          candidate.resize(dot);
        }
        failure = status{errc::invalid_argument,
                         "merge field @@" + std::string(path) + " in the " + where + " has no value",
                         "@@" + std::string(path)};
      });
  if (!failure.is_ok()) {
    return failure;
  }
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_html_escaped(out, text);
  return out;
}

std::optional<std::string> merge_text(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

result<message_template> parse_template(const json::value& v) {
  auto bad = [](const std::string& field, std::string msg) {
    return status{errc::invalid_argument, std::move(msg), field};
  };
  if (!v.is_object()) {
    return bad("", "a template must be an object {channel, subject, html, text, attachments}");
  }
  message_template t;
  for (const auto& kv : v.get_object()) {
    const std::string key(kv.key());
    if (key == "channel" || key == "subject" || key == "html" || key == "text") {
      if (!kv.value().is_string()) return bad(key, "'" + key + "' must be a string");
      std::string s(kv.value().get_string());
      if (key == "channel") t.channel = s;
      if (key == "subject") t.subject = s;
      if (key == "html") t.html = s;
      if (key == "text") t.text = s;
    } else if (key == "attachments") {
      if (!kv.value().is_array()) return bad(key, "'attachments' must be an array");
      const auto& arr = kv.value().get_array();
      for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string p = "attachments[" + std::to_string(i) + "]";
        if (!arr[i].is_object()) return bad(p, "an attachment must be an object {name, content_type, body}");
        attachment_template a;
        for (const auto& m : arr[i].get_object()) {
          const std::string mk(m.key());
          if (mk != "name" && mk != "content_type" && mk != "body") {
            return bad(p + "." + mk, "unknown attachment member '" + mk + "'");
          }
          if (!m.value().is_string()) return bad(p + "." + mk, "must be a string");
          (mk == "name" ? a.name : mk == "content_type" ? a.content_type : a.body) = m.value().get_string();
        }
        if (a.name.empty()) return bad(p + ".name", "an attachment needs a file name");
        t.attachments.push_back(std::move(a));
      }
    } else {
      return bad(key, "unknown template member '" + key + "'");
    }
  }
  static const std::set<std::string> channels = {"email", "sms", "post", "einvoice", "manual"};
  if (!channels.count(t.channel)) {
    return bad("channel", "'channel' must be email, sms, post, einvoice or manual");
  }
  if (t.html.empty() && t.text.empty()) {
    return bad("text", "a template needs a 'text' or an 'html' body");
  }
  if (t.channel == "email" && t.subject.empty()) {
    return bad("subject", "an email template needs a 'subject'");
  }
  return t;
}

std::vector<std::string> merge_fields(const message_template& t) {
  std::set<std::string> paths;
  auto collect = [&](std::string_view s) {
    scan(s, [](std::string_view) {}, [&](std::string_view p) { paths.emplace(p); });
  };
  collect(t.subject);
  collect(t.html);
  collect(t.text);
  for (const auto& a : t.attachments) {
    collect(a.name);
    collect(a.body);
  }
  return {paths.begin(), paths.end()};
}

result<rendered_message> render_template(const message_template& t, const merge_resolver& resolve) {
  rendered_message m;
  auto subject = render_text(t.subject, "subject", false, resolve, m.merge_values);
  if (!subject) return subject.error();
  auto html = render_text(t.html, "HTML body", true, resolve, m.merge_values);
  if (!html) return html.error();
  auto text = render_text(t.text, "text body", false, resolve, m.merge_values);
  if (!text) return text.error();
  m.subject = std::move(*subject);
  m.html = std::move(*html);
  m.text = std::move(*text);
  for (const auto& a : t.attachments) {
    auto name = render_text(a.name, "attachment name", false, resolve, m.merge_values);
    if (!name) return name.error();
    auto body = render_text(a.body, "attachment body", false, resolve, m.merge_values);
    if (!body) return body.error();
    m.attachments.push_back(rendered_attachment{std::move(*name), a.content_type, std::move(*body)});
  }
  return m;
}

}  // namespace herald::domain
