#include "domain/communication.hpp"

#include <openssl/sha.h>

#include <boost/json.hpp>

#include "domain/json_fields.hpp"
#include "domain/rfc3339.hpp"

namespace json = boost::json;
using namespace herald::domain::json_fields;

namespace herald::domain {
namespace {

json::value time_or_null(std::int64_t ms) {
  return ms == 0 ? json::value(nullptr) : json::value(format_rfc3339_ms(ms));
}

std::int64_t time_of(const json::object& o, const char* key) {
  auto text = str(o, key);
  if (text.empty()) return 0;
  auto ms = parse_rfc3339_ms(text);
  return ms ? *ms : 0;
}

status not_object(const char* what) {
  return status{errc::corruption, std::string("stored ") + what + " is not a JSON object"};
}

}  // namespace

json::object to_json(const recipient_info& r);

namespace {
json::array copies(const std::vector<recipient_info>& list) {
  json::array out;
  for (const auto& r : list) out.push_back(to_json(r));
  return out;
}

std::vector<recipient_info> copies_from(const json::object& o, const char* key) {
  std::vector<recipient_info> out;
  if (const json::value* v = o.if_contains(key); v && v->is_array()) {
    for (const auto& r : v->get_array()) {
      auto rec = recipient_from_json(r);
      if (rec) out.push_back(std::move(*rec));
    }
  }
  return out;
}
}  // namespace

json::object to_json(const recipient_info& r) {
  return json::object{{"key", r.key},     {"name", r.name},     {"email", r.email},
                      {"mobile", r.mobile}, {"address", r.address}};
}

json::object to_json(const attempt_view& a) {
  json::array timeline;
  for (const auto& s : a.timeline) {
    json::object entry{{"status", s.status}, {"at", format_rfc3339_ms(s.at)}};
    if (!s.reason.empty()) entry["reason"] = s.reason;
    timeline.push_back(std::move(entry));
  }
  return json::object{{"id", a.id},
                      {"communication_id", a.communication_id},
                      {"attempt", a.attempt},
                      {"status", a.status},
                      {"status_reason", a.status_reason},
                      {"channel", a.channel},
                      {"provider", a.provider},
                      {"provider_message_id", a.provider_message_id},
                      {"mapped_to", a.mapped_to},
                      {"mapped_to_label", a.mapped_to_label},
                      {"customer", a.customer},
                      {"recipient", to_json(a.recipient)},
                      {"cc", copies(a.cc)},
                      {"bcc", copies(a.bcc)},
                      {"sender", a.sender},
                      {"subject", a.subject},
                      {"type", a.type},
                      {"category", a.category},
                      {"workflow", a.workflow},
                      {"template", a.template_id},
                      {"template_version", a.template_version},
                      {"instance_id", a.instance_id},
                      {"automated", a.automated},
                      {"resend_of", a.resend_of.empty() ? json::value(nullptr) : json::value(a.resend_of)},
                      {"created_at", time_or_null(a.created_at)},
                      {"sent_at", time_or_null(a.sent_at)},
                      {"updated_at", time_or_null(a.updated_at)},
                      {"timeline", std::move(timeline)}};
}

json::object to_json(const communication_view& c) {
  return json::object{{"id", c.id},
                      {"mapped_to", c.mapped_to},
                      {"mapped_to_label", c.mapped_to_label},
                      {"topic", c.topic},
                      {"recipient", to_json(c.recipient)},
                      {"latest_status", c.latest_status},
                      {"latest_attempt_id", c.latest_attempt_id},
                      {"channel", c.channel},
                      {"subject", c.subject},
                      {"type", c.type},
                      {"category", c.category},
                      {"workflow", c.workflow},
                      {"customer", c.customer},
                      {"attempts", c.attempts},
                      {"last_attempt_at", time_or_null(c.last_attempt_at)}};
}

json::object to_json(const task_view& t) {
  return json::object{{"id", t.id},
                      {"title", t.title},
                      {"status", t.status},
                      {"reason", t.reason},
                      {"mapped_to", t.mapped_to},
                      {"mapped_to_label", t.mapped_to_label},
                      {"recipient", t.recipient},
                      {"workflow", t.workflow},
                      {"instance_id", t.instance_id},
                      {"outcome", t.outcome},
                      {"created_at", time_or_null(t.created_at)},
                      {"completed_at", time_or_null(t.completed_at)}};
}

result<recipient_info> recipient_from_json(const json::value& v) {
  if (!v.is_object()) return not_object("recipient");
  const auto& o = v.get_object();
  recipient_info r;
  r.key = str(o, "key");
  r.name = str(o, "name");
  r.email = str(o, "email");
  r.mobile = str(o, "mobile");
  if (const json::value* a = o.if_contains("address")) r.address = *a;
  return r;
}

result<attempt_view> attempt_from_json(const json::value& v) {
  if (!v.is_object()) return not_object("attempt");
  const auto& o = v.get_object();
  attempt_view a;
  a.id = str(o, "id");
  a.communication_id = str(o, "communication_id");
  a.attempt = static_cast<int>(i64(o, "attempt"));
  a.status = str(o, "status");
  a.status_reason = str(o, "status_reason");
  a.channel = str(o, "channel");
  a.provider = str(o, "provider");
  a.provider_message_id = str(o, "provider_message_id");
  a.mapped_to = str(o, "mapped_to");
  a.mapped_to_label = str(o, "mapped_to_label");
  a.customer = str(o, "customer");
  if (const json::value* r = o.if_contains("recipient")) {
    auto rec = recipient_from_json(*r);
    if (rec) a.recipient = std::move(*rec);
  }
  a.cc = copies_from(o, "cc");
  a.bcc = copies_from(o, "bcc");
  a.sender = str(o, "sender");
  a.subject = str(o, "subject");
  a.type = str(o, "type");
  a.category = str(o, "category");
  a.workflow = str(o, "workflow");
  a.template_id = str(o, "template");
  a.template_version = static_cast<int>(i64(o, "template_version"));
  a.instance_id = str(o, "instance_id");
  a.automated = boolean(o, "automated", true);
  a.resend_of = str(o, "resend_of");
  a.created_at = time_of(o, "created_at");
  a.sent_at = time_of(o, "sent_at");
  a.updated_at = time_of(o, "updated_at");
  if (const json::value* t = o.if_contains("timeline"); t && t->is_array()) {
    for (const auto& e : t->get_array()) {
      if (!e.is_object()) continue;
      a.timeline.push_back(status_change{str(e.get_object(), "status"), str(e.get_object(), "reason"),
                                         time_of(e.get_object(), "at")});
    }
  }
  return a;
}

result<communication_view> communication_from_json(const json::value& v) {
  if (!v.is_object()) return not_object("communication");
  const auto& o = v.get_object();
  communication_view c;
  c.id = str(o, "id");
  c.mapped_to = str(o, "mapped_to");
  c.mapped_to_label = str(o, "mapped_to_label");
  c.topic = str(o, "topic");
  if (const json::value* r = o.if_contains("recipient")) {
    auto rec = recipient_from_json(*r);
    if (rec) c.recipient = std::move(*rec);
  }
  c.latest_status = str(o, "latest_status");
  c.latest_attempt_id = str(o, "latest_attempt_id");
  c.channel = str(o, "channel");
  c.subject = str(o, "subject");
  c.type = str(o, "type");
  c.category = str(o, "category");
  c.workflow = str(o, "workflow");
  c.customer = str(o, "customer");
  c.attempts = static_cast<int>(i64(o, "attempts"));
  c.last_attempt_at = time_of(o, "last_attempt_at");
  return c;
}

result<task_view> task_from_json(const json::value& v) {
  if (!v.is_object()) return not_object("task");
  const auto& o = v.get_object();
  task_view t;
  t.id = str(o, "id");
  t.title = str(o, "title");
  t.status = str(o, "status");
  t.reason = str(o, "reason");
  t.mapped_to = str(o, "mapped_to");
  t.mapped_to_label = str(o, "mapped_to_label");
  t.recipient = str(o, "recipient");
  t.workflow = str(o, "workflow");
  t.instance_id = str(o, "instance_id");
  t.outcome = str(o, "outcome");
  t.created_at = time_of(o, "created_at");
  t.completed_at = time_of(o, "completed_at");
  return t;
}

std::string stable_hash_hex(std::string_view text, std::size_t hex_chars) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < SHA256_DIGEST_LENGTH && out.size() < hex_chars; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  out.resize(std::min(hex_chars, out.size()));
  return out;
}

std::string communication_id(const std::string& mapped_to, const std::string& topic,
                             const std::string& recipient_key) {
  return "c-" + stable_hash_hex(mapped_to + '\n' + topic + '\n' + recipient_key, 20);
}

}  // namespace herald::domain
