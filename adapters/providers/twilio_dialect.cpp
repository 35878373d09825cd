#include "adapters/providers/twilio_dialect.hpp"

#include <boost/json.hpp>

#include "domain/delivery_status.hpp"

namespace json = boost::json;

namespace herald::adapters::providers {
namespace {

std::string param(const form_params& form, const char* name) {
  for (const auto& [k, v] : form) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace

std::string twilio_callback_url(const std::string& base, const std::string& attempt_id) {
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "herald_attempt=" + url_encode(attempt_id);
}

result<form_params> twilio_message_form(const domain::attempt_view& attempt, const std::string& content_json,
                                        const twilio_settings& settings) {
  const std::string& to = attempt.recipient.mobile;
  if (to.empty()) return status{errc::invalid_argument, "the recipient has no mobile number", "recipient.mobile"};
  if (!domain::is_e164(to)) {
    return status{errc::invalid_argument, "the mobile number '" + to + "' is not in E.164 form (+441632960000)",
                  "recipient.mobile"};
  }
  json::error_code ec;
  const json::value content = json::parse(content_json, ec);
  std::string text;
  if (!ec && content.is_object()) {
    const auto& c = content.get_object();
    if (const auto* t = c.if_contains("text"); t && t->is_string()) text = std::string(t->get_string());
    if (text.empty()) {
      if (const auto* s = c.if_contains("subject"); s && s->is_string()) text = std::string(s->get_string());
    }
  }
  if (text.empty()) text = attempt.subject;
  if (text.empty()) return status{errc::invalid_argument, "the message has no text", "content.text"};
  form_params form{{"To", to}, {"Body", text}};
  const std::string from = attempt.sender.rfind('+', 0) == 0 ? attempt.sender : settings.from;
  form.emplace_back(from.rfind("MG", 0) == 0 ? "MessagingServiceSid" : "From", from);
  if (!settings.status_callback_url.empty()) {
    form.emplace_back("StatusCallback", twilio_callback_url(settings.status_callback_url, attempt.id));
  }
  return form;
}

result<twilio_answer> parse_twilio_answer(const std::string& body) {
  json::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return status{errc::invalid_argument, "Twilio's answer is not a JSON object", "body"};
  const auto& o = v.get_object();
  twilio_answer a;
  if (const auto* sid = o.if_contains("sid"); sid && sid->is_string()) a.sid = std::string(sid->get_string());
  if (const auto* st = o.if_contains("status"); st && st->is_string()) a.status = std::string(st->get_string());
  if (a.sid.empty()) return status{errc::invalid_argument, "Twilio's answer has no message sid", "sid"};
  return a;
}

std::string twilio_error_reason(const std::string& body) {
  json::error_code ec;
  const json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const auto& o = v.get_object();
    const auto* code = o.if_contains("code");
    const auto* message = o.if_contains("message");
    if (message && message->is_string()) {
      return (code && code->is_number() ? json::serialize(*code) + ": " : std::string()) +
             std::string(message->get_string());
    }
  }
  return body.substr(0, 300);
}

result<provider_event> parse_twilio_callback(const form_params& form, const std::string& query) {
  provider_event e;
  e.provider = "twilio";
  e.provider_message_id = param(form, "MessageSid");
  if (e.provider_message_id.empty()) e.provider_message_id = param(form, "SmsSid");
  e.event = param(form, "MessageStatus");
  if (e.event.empty()) e.event = param(form, "SmsStatus");
  if (e.provider_message_id.empty()) {
    return status{errc::invalid_argument, "the callback has no MessageSid", "MessageSid"};
  }
  if (e.event.empty()) return status{errc::invalid_argument, "the callback has no MessageStatus", "MessageStatus"};
  // A message reports each status once: sid + status identifies the event.
  e.event_id = e.provider_message_id + ":" + e.event;
  e.recipient = param(form, "To");
  if (auto q = form_decode(query)) e.attempt_id = param(*q, "herald_attempt");
  const std::string code = param(form, "ErrorCode");
  const std::string& s = e.event;
  if (s == "sent" || s == "sending") {
    e.effect = event_effect::status;
    e.status = "sent";
  } else if (s == "delivered") {
    e.effect = event_effect::status;
    e.status = "delivered";
  } else if (s == "undelivered" || s == "failed") {
    e.effect = event_effect::status;
    e.status = s;
  } else if (s == "canceled") {
    e.effect = event_effect::status;
    e.status = "failed";
  } else if (s == "read") {
    e.effect = event_effect::engagement;
    e.status = "read";
  } else if (s == "queued" || s == "accepted" || s == "scheduled") {
    e.effect = event_effect::note;
    e.status = s;
  } else {
    e.effect = event_effect::ignored;
  }
  if (!code.empty()) e.reason = "Twilio error " + code;
  json::object raw;
  for (const auto& [k, v] : form) raw[k] = v;
  e.raw_json = json::serialize(raw);
  return e;
}

}  // namespace herald::adapters::providers
