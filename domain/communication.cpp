#include "domain/communication.hpp"

#include <boost/json.hpp>

#include "domain/hex.hpp"
#include "domain/json_fields.hpp"
#include "domain/json_text.hpp"
#include "domain/rfc3339.hpp"
#include "domain/sha256.hpp"

namespace json = boost::json;
using namespace herald::domain::json_fields;

namespace herald::domain {
namespace {

json::value time_or_null(std::int64_t ms) {
  return ms == 0 ? json::value(nullptr) : json::value(format_rfc3339_ms(ms));
}

status not_object(const char* what) {
  return status{errc::corruption, std::string("stored ") + what + " is not a JSON object"};
}

}  // namespace

namespace {
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

namespace {

using json_text::append_key;
using json_text::append_member;
using json_text::append_string;

void append_time_or_null(text_sink& out, std::int64_t ms) {
  if (ms == 0) {
    out += "null";
  } else {
    append_rfc3339_ms_json(out, ms);
  }
}

void append_recipient(text_sink& out, const recipient_info& r) {
  out += '{';
  append_member(out, "key", r.key, true);
  append_member(out, "name", r.name);
  append_member(out, "email", r.email);
  append_member(out, "mobile", r.mobile);
  append_key(out, "address");
  json_text::append_value(out, r.address);
  out += '}';
}

void append_recipients(text_sink& out, const std::vector<recipient_info>& list) {
  json_text::append_array(out, list, append_recipient);
}

// An attempt's last members, the same in its whole JSON and in a status update's.
void append_times_and_timeline(text_sink& out, const attempt_view& a) {
  append_key(out, "created_at");
  append_time_or_null(out, a.created_at);
  append_key(out, "sent_at");
  append_time_or_null(out, a.sent_at);
  append_key(out, "updated_at");
  append_time_or_null(out, a.updated_at);
  append_key(out, "timeline");
  json_text::append_array(out, a.timeline, [](text_sink& o, const status_change& s) {
    o += '{';
    append_member(o, "status", s.status, true);
    append_key(o, "at");
    append_rfc3339_ms_json(o, s.at);
    if (!s.reason.empty()) {
      append_member(o, "reason", s.reason);
    }
    o += '}';
  });
}

}  // namespace

void append_json(text_sink& out, const attempt_view& a) {
  out += '{';
  append_member(out, "id", a.id, true);
  append_member(out, "communication_id", a.communication_id);
  append_key(out, "attempt");
  json_text::append_int(out, a.attempt);
  append_member(out, "status", a.status);
  append_member(out, "status_reason", a.status_reason);
  append_member(out, "channel", a.channel);
  append_member(out, "provider", a.provider);
  append_member(out, "provider_message_id", a.provider_message_id);
  append_member(out, "mapped_to", a.mapped_to);
  append_member(out, "mapped_to_label", a.mapped_to_label);
  append_member(out, "customer", a.customer);
  append_key(out, "recipient");
  append_recipient(out, a.recipient);
  append_key(out, "cc");
  append_recipients(out, a.cc);
  append_key(out, "bcc");
  append_recipients(out, a.bcc);
  append_member(out, "sender", a.sender);
  append_member(out, "subject", a.subject);
  append_member(out, "type", a.type);
  append_member(out, "category", a.category);
  append_member(out, "workflow", a.workflow);
  append_member(out, "template", a.template_id);
  append_key(out, "template_version");
  json_text::append_int(out, a.template_version);
  append_member(out, "instance_id", a.instance_id);
  append_key(out, "automated");
  out += a.automated ? "true" : "false";
  append_key(out, "resend_of");
  if (a.resend_of.empty()) {
    out += "null";
  } else {
    append_string(out, a.resend_of);
  }
  append_times_and_timeline(out, a);
  out += '}';
}

void append_status_json(text_sink& out, const attempt_view& a) {
  // The identity (created_at below too): what a record's facts are read
  // from (engine_facts.hpp); then what a provider's report changes
  // (entity_engine::record_outcome).
  out += '{';
  append_member(out, "id", a.id, true);
  append_member(out, "communication_id", a.communication_id);
  append_member(out, "channel", a.channel);
  append_member(out, "mapped_to", a.mapped_to);
  append_member(out, "status", a.status);
  append_member(out, "status_reason", a.status_reason);
  append_member(out, "provider_message_id", a.provider_message_id);
  append_times_and_timeline(out, a);
  out += '}';
}

void append_json(std::string& out, const attempt_view& a) {
  text_sink sink(out);
  append_json(sink, a);
}

void append_status_json(std::string& out, const attempt_view& a) {
  text_sink sink(out);
  append_status_json(sink, a);
}

void append_json(std::string& out, const communication_view& c, const attempt_view* carried) {
  text_sink sink(out);
  append_json(sink, c, carried);
}

void apply_status_update(json::object& attempt, const json::object& update) {
  for (const auto& member : update) attempt[member.key()] = member.value();
}

namespace {

// The members a communication shares with the attempt it was written with:
// (communication member, attempt member, their fields).
struct shared_member {
  const char* communication;
  const char* attempt;
  std::string communication_view::*of_communication;
  std::string attempt_view::*of_attempt;
};
const shared_member shared_members[] = {
    {"mapped_to", "mapped_to", &communication_view::mapped_to, &attempt_view::mapped_to},
    {"mapped_to_label", "mapped_to_label", &communication_view::mapped_to_label, &attempt_view::mapped_to_label},
    {"latest_status", "status", &communication_view::latest_status, &attempt_view::status},
    {"latest_attempt_id", "id", &communication_view::latest_attempt_id, &attempt_view::id},
    {"channel", "channel", &communication_view::channel, &attempt_view::channel},
    {"subject", "subject", &communication_view::subject, &attempt_view::subject},
    {"type", "type", &communication_view::type, &attempt_view::type},
    {"category", "category", &communication_view::category, &attempt_view::category},
    {"workflow", "workflow", &communication_view::workflow, &attempt_view::workflow},
    {"customer", "customer", &communication_view::customer, &attempt_view::customer},
};
constexpr const char* shared_recipient = "recipient";

bool same_recipient(const recipient_info& a, const recipient_info& b) {
  return a.key == b.key && a.name == b.name && a.email == b.email && a.mobile == b.mobile && a.address == b.address;
}

}  // namespace

void append_json(text_sink& out, const communication_view& c, const attempt_view* carried) {
  out += '{';
  append_member(out, "id", c.id, true);
  append_member(out, "topic", c.topic);
  if (!carried || !same_recipient(c.recipient, carried->recipient)) {
    append_key(out, shared_recipient);
    append_recipient(out, c.recipient);
  }
  for (const auto& m : shared_members) {
    if (!carried || c.*m.of_communication != (*carried).*m.of_attempt) {
      append_member(out, m.communication, c.*m.of_communication);
    }
  }
  append_key(out, "attempts");
  json_text::append_int(out, c.attempts);
  append_key(out, "last_attempt_at");
  append_time_or_null(out, c.last_attempt_at);
  out += '}';
}

void fill_from_carried_attempt(json::object& communication, const json::object& carried) {
  auto fill = [&](const char* member, const char* from) {
    if (communication.contains(member)) return;
    if (const json::value* v = carried.if_contains(from)) communication[member] = *v;
  };
  fill(shared_recipient, shared_recipient);
  for (const auto& m : shared_members) fill(m.communication, m.attempt);
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
  a.created_at = time_ms(o, "created_at");
  a.sent_at = time_ms(o, "sent_at");
  a.updated_at = time_ms(o, "updated_at");
  if (const json::value* t = o.if_contains("timeline"); t && t->is_array()) {
    for (const auto& e : t->get_array()) {
      if (!e.is_object()) continue;
      a.timeline.push_back(status_change{str(e.get_object(), "status"), str(e.get_object(), "reason"),
                                         time_ms(e.get_object(), "at")});
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
  c.last_attempt_at = time_ms(o, "last_attempt_at");
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
  t.created_at = time_ms(o, "created_at");
  t.completed_at = time_ms(o, "completed_at");
  return t;
}

namespace {

void append_content_snapshot(text_sink& out, std::string_view subject, std::string_view template_id,
                             std::int64_t template_version, const rendered_message* rendered,
                             const json::object& extra) {
  out += '{';
  append_member(out, "subject", subject, true);
  append_member(out, "template", template_id);
  append_key(out, "template_version");
  json_text::append_int(out, template_version);
  if (rendered) {
    append_member(out, "html", rendered->html);
    append_member(out, "text", rendered->text);
    append_key(out, "attachments");
    json_text::append_array(out, rendered->attachments, [](text_sink& o, const rendered_attachment& att) {
      o += '{';
      append_member(o, "name", att.name, true);
      append_member(o, "content_type", att.content_type);
      append_member(o, "body", att.body);
      o += '}';
    });
    append_key(out, "merge_values");
    out += '{';
    bool first = true;
    for (const auto& [path, value] : rendered->merge_values) {
      // Paths come from templates: escaped like any value.
      if (!first) out += ',';
      first = false;
      json_text::append_string(out, path);
      out += ':';
      json_text::append_string(out, value);
    }
    out += '}';
  }
  for (const auto& member : extra) {
    out += ',';
    json_text::append_string(out, member.key());
    out += ':';
    json_text::append_value(out, member.value());
  }
  out += '}';
}

}  // namespace

std::string content_snapshot_json(std::string_view subject, std::string_view template_id,
                                  std::int64_t template_version, const rendered_message* rendered,
                                  const json::object& extra) {
  return exact_text([&](text_sink& out) {
    append_content_snapshot(out, subject, template_id, template_version, rendered, extra);
  });
}

std::string stable_hash_hex(std::string_view text, std::size_t hex_chars) {
  const sha256_digest digest = sha256(text);
  const std::size_t bytes = std::min((hex_chars + 1) / 2, digest.size());
  std::string out = to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), bytes));
  out.resize(std::min(hex_chars, out.size()));
  return out;
}

std::string communication_id(const std::string& mapped_to, const std::string& topic,
                             const std::string& recipient_key) {
  std::string text;
  text.reserve(mapped_to.size() + topic.size() + recipient_key.size() + 2);
  text.append(mapped_to).append(1, '\n').append(topic).append(1, '\n').append(recipient_key);
  return "c-" + stable_hash_hex(text, 20);
}

std::string attempt_id(const std::string& communication_id, int number) {
  return communication_id + "." + std::to_string(number);
}

std::string_view communication_of_attempt(std::string_view attempt_id) {
  const auto dot = attempt_id.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == attempt_id.size()) return {};
  for (std::size_t i = dot + 1; i < attempt_id.size(); ++i) {
    if (attempt_id[i] < '0' || attempt_id[i] > '9') return {};
  }
  return attempt_id.substr(0, dot);
}

}  // namespace herald::domain
