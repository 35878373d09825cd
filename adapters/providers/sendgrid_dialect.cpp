#include "adapters/providers/sendgrid_dialect.hpp"

#include <cmath>
#include <set>

#include <boost/json.hpp>

#include "adapters/providers/email_content.hpp"
#include "domain/base64.hpp"

namespace json = boost::json;

namespace herald::adapters::providers {
namespace {

json::object address(const std::string& email, const std::string& name) {
  json::object a{{"email", email}};
  if (!name.empty()) a["name"] = name;
  return a;
}

std::string string_member(const json::object& o, const char* name) {
  const json::value* v = o.if_contains(name);
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64() || v->is_uint64()) return json::serialize(*v);
  return {};
}

// SendGrid's event kinds in Herald's words (SPEC §5).
void classify(provider_event& e, const json::object& o) {
  const std::string& kind = e.event;
  if (kind == "processed") {
    e.effect = event_effect::status;
    e.status = "sent";
  } else if (kind == "delivered") {
    e.effect = event_effect::status;
    e.status = "delivered";
  } else if (kind == "bounce") {
    e.effect = event_effect::status;
    e.status = string_member(o, "type") == "blocked" ? "blocked" : "bounced";
  } else if (kind == "dropped") {
    e.effect = event_effect::status;
    e.status = "dropped";
  } else if (kind == "deferred") {
    e.effect = event_effect::note;  // SendGrid keeps trying: the attempt stays where it is
    e.status = "deferred";
  } else if (kind == "open" || kind == "click") {
    e.effect = event_effect::engagement;
    e.status = kind == "open" ? "opened" : "clicked";
  } else if (kind == "unsubscribe" || kind == "spamreport" || kind == "group_unsubscribe") {
    e.effect = event_effect::opt_out;
  } else if (kind == "group_resubscribe") {
    e.effect = event_effect::opt_in;
  } else {
    e.effect = event_effect::ignored;
  }
  e.reason = string_member(o, "reason");
  if (e.reason.empty()) e.reason = string_member(o, "response");
  if (kind == "click" && e.reason.empty()) e.reason = string_member(o, "url");
}

}  // namespace

result<std::string> sendgrid_mail_body(const domain::attempt_view& attempt, const std::string& content_json,
                                       const sendgrid_sender& from) {
  auto content = read_email_content(attempt, content_json);
  if (!content) return content.error();
  // One address appears once per personalization (SendGrid rejects repeats).
  std::set<std::string> seen{attempt.recipient.email};
  auto copies = [&seen](const std::vector<domain::recipient_info>& list) {
    json::array out;
    for (const auto& r : list) {
      if (!r.email.empty() && seen.insert(r.email).second) out.push_back(address(r.email, r.name));
    }
    return out;
  };
  json::object personalization{{"to", json::array{address(attempt.recipient.email, attempt.recipient.name)}}};
  if (auto cc = copies(attempt.cc); !cc.empty()) personalization["cc"] = std::move(cc);
  if (auto bcc = copies(attempt.bcc); !bcc.empty()) personalization["bcc"] = std::move(bcc);
  personalization["custom_args"] = json::object{{attempt_arg, attempt.id}};

  json::object body{{"personalizations", json::array{std::move(personalization)}}};
  // A sender chosen on the action (seed 002) wins over the configured one.
  const bool sender_is_address = attempt.sender.find('@') != std::string::npos;
  body["from"] = sender_is_address ? address(address_of(attempt.sender), name_of(attempt.sender))
                                   : address(from.email, from.name);
  body["subject"] = content->subject.empty() ? std::string("(no subject)") : content->subject;
  json::array parts;  // text/plain must come first
  if (!content->text.empty()) parts.push_back(json::object{{"type", "text/plain"}, {"value", content->text}});
  if (!content->html.empty()) parts.push_back(json::object{{"type", "text/html"}, {"value", content->html}});
  if (parts.empty()) {
    parts.push_back(json::object{{"type", "text/plain"}, {"value", body["subject"]}});
  }
  body["content"] = std::move(parts);
  if (!content->attachments.empty()) {
    json::array out;
    for (const auto& a : content->attachments) {
      json::object att{{"content", domain::base64_encode(a.body)}, {"filename", a.name}, {"disposition", "attachment"}};
      if (!a.content_type.empty()) att["type"] = a.content_type;
      out.push_back(std::move(att));
    }
    body["attachments"] = std::move(out);
  }
  if (!attempt.category.empty()) {
    body["categories"] = json::array{json::string(attempt.category.substr(0, 255))};
  }
  return json::serialize(body);
}

result<std::vector<provider_event>> parse_sendgrid_events(const std::string& body) {
  json::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec) return status{errc::invalid_argument, "the body is not JSON: " + ec.message(), "body"};
  if (!v.is_array()) return status{errc::invalid_argument, "the body must be a JSON array of events", "body"};
  std::vector<provider_event> out;
  std::size_t index = 0;
  for (const auto& item : v.get_array()) {
    const std::string field = "[" + std::to_string(index++) + "]";
    if (!item.is_object()) return status{errc::invalid_argument, "an event must be a JSON object", field};
    const auto& o = item.get_object();
    provider_event e;
    e.provider = "sendgrid";
    e.event = string_member(o, "event");
    if (e.event.empty()) return status{errc::invalid_argument, "the event has no 'event' kind", field + ".event"};
    e.event_id = string_member(o, "sg_event_id");
    e.attempt_id = string_member(o, attempt_arg);
    e.provider_message_id = string_member(o, "sg_message_id");
    e.recipient = string_member(o, "email");
    if (const json::value* ts = o.if_contains("timestamp"); ts && ts->is_number()) {
      // Any JSON number may come (1.5e9, -1, 1e300): only a plausible Unix
      // time counts; to_number<int64> would throw on a fraction (fuzzing found it).
      const double seconds = ts->to_number<double>();
      if (std::isfinite(seconds) && seconds > 0 && seconds < 1e11) e.at_ms = static_cast<std::int64_t>(seconds * 1000);
    }
    if (const json::value* cat = o.if_contains("asm_group_id"); cat && cat->is_number()) {
      e.category = "group:" + json::serialize(*cat);
    }
    classify(e, o);
    e.raw_json = json::serialize(item);
    out.push_back(std::move(e));
  }
  return out;
}

const char* effect_name(event_effect e) {
  switch (e) {
    case event_effect::status: return "status";
    case event_effect::note: return "note";
    case event_effect::engagement: return "engagement";
    case event_effect::opt_out: return "opt_out";
    case event_effect::opt_in: return "opt_in";
    case event_effect::ignored: return "ignored";
  }
  return "ignored";
}

}  // namespace herald::adapters::providers
