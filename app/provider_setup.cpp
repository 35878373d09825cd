#include "app/provider_setup.hpp"

#include <ctime>

#include <boost/json.hpp>

#include "actors/http_provider_actor.hpp"
#include "adapters/providers/letter_pdf.hpp"
#include "adapters/providers/sendgrid_dialect.hpp"
#include "adapters/providers/smtp_message.hpp"
#include "adapters/providers/twilio_dialect.hpp"
#include "adapters/providers/ubl_invoice.hpp"
#include "domain/base64.hpp"

namespace json = boost::json;

namespace herald::app {
namespace {

using adapters::providers::outbound_request;
using adapters::providers::outbound_response;

std::string setting(const json::object& o, const char* name, const std::string& fallback = {}) {
  const json::value* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : fallback;
}

// A POST with a bearer key, as SendGrid, the letter API and the access point take it.
outbound_request bearer_post(const std::string& url, const std::string& key, const char* content_type,
                             std::string body) {
  outbound_request r;
  r.url = url;
  r.headers = {{"Authorization", "Bearer " + key}, {"Content-Type", content_type}};
  r.body = std::move(body);
  return r;
}

// The call settings a provider may override (SPEC §10 plus these).
void apply_call_settings(const json::object& s, actors::http_provider_config& c) {
  auto number = [&s](const char* name, auto& target) {
    if (const json::value* v = s.if_contains(name); v && v->is_int64()) {
      target = static_cast<std::remove_reference_t<decltype(target)>>(v->get_int64());
    }
  };
  number("max_in_flight", c.max_in_flight);
  number("retry_base_ms", c.backoff_base_ms);
  number("retry_max_ms", c.backoff_max_ms);
  number("breaker_failures", c.breaker_failures);
  number("breaker_open_ms", c.breaker_open_ms);
  number("timeout_ms", c.timeout_ms);
  number("rate_per_s", c.rate_per_s);
}

// A provider's "from" as the mailbox attempts show: {"email","name"} or text.
std::string configured_from(const json::object& s) {
  const json::value* f = s.if_contains("from");
  if (!f) return {};
  if (f->is_string()) return std::string(f->get_string());
  if (!f->is_object()) return {};
  const std::string email = setting(f->get_object(), "email"), name = setting(f->get_object(), "name");
  return name.empty() ? email : name + " <" + email + ">";
}

std::string trimmed_base(const std::string& url) {
  return !url.empty() && url.back() == '/' ? url.substr(0, url.size() - 1) : url;
}

actors::http_provider_config sendgrid_provider(const json::object& s) {
  actors::http_provider_config c;
  c.name = "sendgrid";
  const std::string url = trimmed_base(setting(s, "base_url", "https://api.sendgrid.com")) + "/v3/mail/send";
  const std::string key = setting(s, "api_key");
  adapters::providers::sendgrid_sender from;
  if (const auto* f = s.if_contains("from"); f && f->is_object()) {
    from.email = setting(f->get_object(), "email");
    from.name = setting(f->get_object(), "name");
  }
  c.build = [url, key, from](const actors::dispatch_request& req) -> result<outbound_request> {
    auto body = adapters::providers::sendgrid_mail_body(req.attempt, req.content_json, from);
    if (!body) return body.error();
    return bearer_post(url, key, "application/json", std::move(*body));
  };
  c.read_success = [](const outbound_response& r) {
    actors::call_verdict v;
    v.what = actors::call_verdict::kind::accepted;
    v.provider_message_id = r.header("x-message-id");
    return v;
  };
  c.read_error = [](const outbound_response& r) {
    // {"errors":[{"message":"...","field":"..."}]}
    json::error_code ec;
    const json::value v = json::parse(r.body, ec);
    if (!ec && v.is_object()) {
      if (const auto* errors = v.get_object().if_contains("errors"); errors && errors->is_array()) {
        std::string out;
        for (const auto& e : errors->get_array()) {
          if (!e.is_object()) continue;
          const auto& o = e.get_object();
          if (!out.empty()) out += "; ";
          out += setting(o, "message");
          if (auto field = setting(o, "field"); !field.empty()) out += " (" + field + ")";
        }
        if (!out.empty()) return out;
      }
    }
    return r.body.substr(0, 300);
  };
  return c;
}

actors::http_provider_config twilio_provider(const json::object& s) {
  actors::http_provider_config c;
  c.name = "twilio";
  const std::string sid = setting(s, "account_sid");
  const std::string url =
      trimmed_base(setting(s, "base_url", "https://api.twilio.com")) + "/2010-04-01/Accounts/" + sid + "/Messages.json";
  const std::string auth = sid + ":" + setting(s, "auth_token");
  adapters::providers::twilio_settings settings{setting(s, "from"), setting(s, "status_callback_url")};
  c.build = [url, auth, settings](const actors::dispatch_request& req) -> result<outbound_request> {
    auto form = adapters::providers::twilio_message_form(req.attempt, req.content_json, settings);
    if (!form) return form.error();
    outbound_request r;
    r.url = url;
    r.basic_auth = auth;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = adapters::providers::form_encode(*form);
    return r;
  };
  c.read_success = [](const outbound_response& r) {
    actors::call_verdict v;
    auto answer = adapters::providers::parse_twilio_answer(r.body);
    if (!answer) {
      v.what = actors::call_verdict::kind::rejected;
      v.reason = "twilio: " + answer.error().message();
      return v;
    }
    v.what = actors::call_verdict::kind::accepted;
    v.provider_message_id = answer->sid;
    return v;
  };
  c.read_error = [](const outbound_response& r) { return adapters::providers::twilio_error_reason(r.body); };
  return c;
}

// The date on letters and invoices, in UTC.
std::string today(const char* format) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[64];
  std::strftime(out, sizeof out, format, &tm);
  return out;
}

// A 2xx answer's {"id": ...} (or X-Message-Id) as the provider's message id.
actors::call_verdict accepted_with_id(const outbound_response& r) {
  actors::call_verdict v;
  v.what = actors::call_verdict::kind::accepted;
  json::error_code ec;
  const json::value body = json::parse(r.body, ec);
  v.provider_message_id = !ec && body.is_object() ? setting(body.get_object(), "id") : std::string();
  if (v.provider_message_id.empty()) v.provider_message_id = r.header("x-message-id");
  return v;
}

actors::http_provider_config post_provider(const json::object& s) {
  actors::http_provider_config c;
  c.name = "post";
  const std::string url = trimmed_base(setting(s, "base_url")) + "/v1/letters";
  const std::string key = setting(s, "api_key");
  c.build = [url, key](const actors::dispatch_request& req) -> result<outbound_request> {
    auto pdf = adapters::providers::render_letter_pdf(req.attempt, req.content_json, today("%d %B %Y"));
    if (!pdf) return pdf.error();
    json::array address;
    for (const auto& l : adapters::providers::address_lines(req.attempt.recipient.address)) address.emplace_back(l);
    return bearer_post(url, key, "application/json",
                       json::serialize(json::object{{"reference", req.attempt.id},
                                                    {"recipient", json::object{{"name", req.attempt.recipient.name},
                                                                               {"address", std::move(address)}}},
                                                    {"pdf", domain::base64_encode(*pdf)}}));
  };
  c.read_success = accepted_with_id;
  return c;
}

actors::http_provider_config peppol_provider(const json::object& s) {
  actors::http_provider_config c;
  c.name = "peppol";
  const std::string url = trimmed_base(setting(s, "base_url")) + "/v1/documents";
  const std::string key = setting(s, "api_key");
  adapters::providers::ubl_supplier supplier{setting(s, "sender_id"), setting(s, "supplier_name", "Herald user"),
                                             setting(s, "country", "GB")};
  c.build = [url, key, supplier](const actors::dispatch_request& req) -> result<outbound_request> {
    json::error_code ec;
    const json::value content = json::parse(req.content_json, ec);
    const json::value* document = !ec && content.is_object() ? content.get_object().if_contains("document") : nullptr;
    if (!document || !document->is_object()) {
      return status{errc::invalid_argument, "the attempt carries no invoice document", "content.document"};
    }
    auto xml = adapters::providers::build_ubl_invoice(document->get_object(), req.attempt.recipient,
                                                      setting(content.get_object(), "buyer_peppol_id"), supplier,
                                                      today("%Y-%m-%d"));
    if (!xml) return xml.error();
    outbound_request r = bearer_post(url, key, "application/xml", std::move(*xml));
    r.headers.insert(r.headers.end(), {{"X-Peppol-Sender", supplier.endpoint},
                                       {"X-Peppol-Receiver", setting(content.get_object(), "buyer_peppol_id")},
                                       {"X-Herald-Attempt", req.attempt.id}});
    return r;
  };
  c.read_success = accepted_with_id;
  return c;
}

actors::http_provider_config smtp_provider(const json::object& s) {
  actors::http_provider_config c;
  c.name = "smtp";
  const std::string url = setting(s, "url");
  const std::string from = setting(s, "from");
  const std::string user = setting(s, "username");
  const std::string auth = user.empty() ? std::string() : user + ":" + setting(s, "password");
  c.build = [url, from, auth](const actors::dispatch_request& req) -> result<outbound_request> {
    const std::string date = today("%a, %d %b %Y %H:%M:%S +0000");
    auto m = adapters::providers::build_smtp_message(req.attempt, req.content_json, from, date);
    if (!m) return m.error();
    outbound_request r;
    r.url = url;
    r.mail_from = m->mail_from;
    r.mail_rcpt = m->recipients;
    r.body = std::move(m->data);
    r.basic_auth = auth;
    return r;
  };
  // SMTP replies: 2xx taken, 5xx refused for good, anything else retried.
  c.classify = [](const outbound_response& r) {
    actors::call_verdict v;
    if (r.transport_error.empty() && r.status >= 200 && r.status < 300) {
      v.what = actors::call_verdict::kind::accepted;
      return v;
    }
    v.reason = "smtp: " + (r.transport_error.empty() ? std::string("failed") : r.transport_error) +
               (r.status ? " (reply " + std::to_string(r.status) + ")" : "");
    v.what = r.status >= 500 && r.status < 600 ? actors::call_verdict::kind::rejected : actors::call_verdict::kind::retry;
    return v;
  };
  return c;
}

}  // namespace

const json::object& provider_settings(const domain::herald_config& config, const std::string& name) {
  static const json::object none;
  const json::value* v = config.providers.if_contains(name);
  return v && v->is_object() ? v->get_object() : none;
}

actors::mark_started_fn mark_in_store(storage::rocksdb_event_store& store) {
  return [&store](std::vector<std::string> ids, std::function<void(bool)> done) {
    store.mark_calls_started(std::move(ids), [done = std::move(done)](result<storage::append_outcome> r) {
      done(r.has_value());
    });
  };
}

result<provider_set> spawn_providers(caf::actor_system& system, const domain::herald_config& config,
                                     std::function<std::int64_t()> clock_ms, report_fn report, bool virtual_time,
                                     actors::mark_started_fn mark_started,
                                     std::shared_ptr<actors::backlog_gauge> backlog) {
  provider_set out;
  std::map<std::string, actors::provider_actor> spawned;  // one actor per provider, shared by its channels
  for (const auto& [channel, name] : config.channels) {
    if (name == "sandbox" || name.empty()) continue;
    const std::string field = "channels." + channel;
    if (!config.providers.contains(name)) {
      return status{errc::invalid_argument, "channel '" + channel + "' names provider '" + name +
                                                "', which has no settings under \"providers\"", field};
    }
    if (auto it = spawned.find(name); it != spawned.end()) {
      out.by_channel[channel] = {name, it->second, configured_from(provider_settings(config, name))};
      continue;
    }
    const json::object& s = provider_settings(config, name);
    actors::http_provider_config c;
    if (name == "sendgrid" && channel == "email") {
      c = sendgrid_provider(s);
    } else if (name == "twilio" && channel == "sms") {
      c = twilio_provider(s);
    } else if (name == "smtp" && channel == "email") {
      c = smtp_provider(s);
    } else if (name == "post" && channel == "post") {
      c = post_provider(s);
    } else if (name == "peppol" && channel == "einvoice") {
      c = peppol_provider(s);
    } else {
      return status{errc::invalid_argument,
                    "provider '" + name + "' cannot serve channel '" + channel +
                        "' (email: sendgrid or smtp, sms: twilio, post: post, einvoice: peppol, any: sandbox)",
                    field};
    }
    if (!out.client) out.client = std::make_shared<adapters::providers::curl_multi_client>();
    apply_call_settings(s, c);
    c.virtual_time = virtual_time;
    c.client = out.client;
    c.report = report;
    c.mark_started = mark_started;
    c.backlog = backlog;
    c.clock_ms = clock_ms;
    auto handle = actors::spawn_http_provider(system, std::move(c));
    spawned[name] = handle;
    out.by_channel[channel] = {name, handle, configured_from(s)};
  }
  return out;
}

}  // namespace herald::app
