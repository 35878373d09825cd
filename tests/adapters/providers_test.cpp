// The provider dialects and webhook signatures, against the providers' own
// payloads and test vectors in ../shared/fixtures and inputs of our own.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include <boost/json.hpp>

#include "adapters/providers/form_encoding.hpp"
#include "adapters/providers/sendgrid_dialect.hpp"
#include "adapters/providers/letter_pdf.hpp"
#include "adapters/providers/smtp_message.hpp"
#include "adapters/providers/status_webhook.hpp"
#include "adapters/providers/ubl_invoice.hpp"
#include "adapters/providers/twilio_dialect.hpp"
#include "adapters/providers/webhook_signature.hpp"
#include "domain/delivery_status.hpp"
#include "tests/support/fixtures.hpp"

namespace json = boost::json;
using namespace herald::adapters::providers;

namespace {

herald::domain::attempt_view email_attempt() {
  herald::domain::attempt_view a;
  a.id = "c-abc.1";
  a.channel = "email";
  a.recipient.email = "dana@example.com";
  a.recipient.name = "Dana Smith";
  a.recipient.mobile = "+447700900123";
  a.cc.push_back({"User/m", "Manager", "manager@example.com", "", {}});
  a.cc.push_back({"User/d", "Dana again", "dana@example.com", "", {}});
  a.category = "Booking";
  a.subject = "Booking confirmed";
  return a;
}

const char* content = R"({"subject":"Booking confirmed","html":"<p>Hi</p>","text":"Hi",
  "attachments":[{"name":"c.txt","content_type":"text/plain","body":"certificate"}]})";

// A small JSON Schema check (type, required, properties, items, maxItems,
// minItems, minLength, enum) for the OpenAPI fixture; "$ref"s point into
// files the fixture does not carry and are not followed. Returns the
// problems found, each with its path.
void check_schema(const json::value& schema, const json::value& v, const std::string& path,
                  std::vector<std::string>& problems) {
  if (!schema.is_object()) return;
  const auto& s = schema.get_object();
  if (const auto* type = s.if_contains("type"); type && type->is_string()) {
    const std::string t(type->get_string());
    const bool ok = (t == "object" && v.is_object()) || (t == "array" && v.is_array()) ||
                    (t == "string" && v.is_string()) || (t == "boolean" && v.is_bool()) ||
                    (t == "integer" && (v.is_int64() || v.is_uint64())) || (t == "number" && v.is_number());
    if (!ok) problems.push_back(path + ": not " + t);
  }
  if (const auto* e = s.if_contains("enum"); e && e->is_array()) {
    if (std::find(e->get_array().begin(), e->get_array().end(), v) == e->get_array().end()) {
      problems.push_back(path + ": not one of the enum");
    }
  }
  if (v.is_string()) {
    if (const auto* m = s.if_contains("minLength"); m && v.get_string().size() < m->to_number<std::size_t>()) {
      problems.push_back(path + ": too short");
    }
  }
  if (v.is_object()) {
    if (const auto* req = s.if_contains("required"); req && req->is_array()) {
      for (const auto& r : req->get_array()) {
        if (!v.get_object().contains(r.get_string())) problems.push_back(path + ": missing " + std::string(r.get_string()));
      }
    }
    if (const auto* props = s.if_contains("properties"); props && props->is_object()) {
      for (const auto& kv : v.get_object()) {
        if (const auto* sub = props->get_object().if_contains(kv.key())) {
          check_schema(*sub, kv.value(), path + "." + std::string(kv.key()), problems);
        }
      }
    }
  }
  if (v.is_array()) {
    const auto n = v.get_array().size();
    if (const auto* m = s.if_contains("maxItems"); m && n > m->to_number<std::size_t>()) problems.push_back(path + ": too many");
    if (const auto* m = s.if_contains("minItems"); m && n < m->to_number<std::size_t>()) problems.push_back(path + ": too few");
    if (const auto* items = s.if_contains("items")) {
      for (std::size_t i = 0; i < n; ++i) check_schema(*items, v.get_array()[i], path + "[" + std::to_string(i) + "]", problems);
    }
  }
}

}  // namespace

TEST_CASE("SendGrid signature: the providers' vectors verify and their negative cases fail") {
  auto text = herald::test::fixture_text("sendgrid/event_webhook_signature_vector.json");
  if (!text) return;
  auto body = herald::test::fixture_text("sendgrid/event_webhook_signed_body.bin");
  const auto v = json::parse(*text).as_object();
  const std::string key(v.at("public_key_base64").as_string());
  const auto& headers = v.at("headers").as_object();
  const std::string sig(headers.at("X-Twilio-Email-Event-Webhook-Signature").as_string());
  const std::string ts(headers.at("X-Twilio-Email-Event-Webhook-Timestamp").as_string());
  REQUIRE(body->size() > 2);
  CHECK(body->substr(body->size() - 2) == "\r\n");
  CHECK(verify_sendgrid_signature(key, ts, *body, sig));
  // The raw body only: without its CRLF it fails.
  CHECK_FALSE(verify_sendgrid_signature(key, ts, body->substr(0, body->size() - 2), sig));
  const auto& neg = v.at("negative_cases").as_object();
  CHECK_FALSE(verify_sendgrid_signature(std::string(neg.at("bad_public_key").as_string()), ts, *body, sig));
  CHECK_FALSE(verify_sendgrid_signature(key, ts, std::string(neg.at("bad_payload").as_string()), sig));
  CHECK_FALSE(verify_sendgrid_signature(key, ts, *body, std::string(neg.at("bad_signature").as_string())));
  CHECK_FALSE(verify_sendgrid_signature(key, std::string(neg.at("bad_timestamp").as_string()), *body, sig));
  const auto& second = v.at("second_vector").as_object();
  const std::string key2(second.at("public_key_base64").as_string());
  const std::string ts2(second.at("timestamp").as_string()), body2(second.at("raw_body").as_string());
  CHECK(verify_sendgrid_signature(key2, ts2, body2, std::string(second.at("signature").as_string())));
  CHECK_FALSE(verify_sendgrid_signature(key2, ts2, body2, std::string(second.at("negative_bad_signature").as_string())));
  // Garbage never verifies and never crashes.
  CHECK_FALSE(verify_sendgrid_signature("not base64!", ts, *body, sig));
  CHECK_FALSE(verify_sendgrid_signature(key, ts, *body, ""));
  CHECK_FALSE(verify_sendgrid_signature("", "", "", ""));
}

TEST_CASE("Twilio signature: every vector of the provider's validator passes") {
  auto text = herald::test::fixture_text("twilio/request_signature_vectors.json");
  if (!text) return;
  const auto v = json::parse(*text).as_object();
  const std::string token(v.at("auth_token").as_string());
  form_params base;
  for (const auto& cases : v.at("cases").as_array()) {
    const auto& c = cases.as_object();
    if (c.at("name") == "form_params") {
      for (const auto& [k, val] : c.at("params").as_object()) base.emplace_back(k, std::string(val.as_string()));
    }
  }
  REQUIRE(base.size() == 5);
  int checked = 0;
  for (const auto& cases : v.at("cases").as_array()) {
    const auto& c = cases.as_object();
    const std::string name(c.at("name").as_string());
    const std::string url(c.at("url").as_string());
    form_params params = base;
    if (c.contains("params_multi")) {
      params.clear();
      for (const auto& p : c.at("params_multi").as_array()) {
        params.emplace_back(std::string(p.as_array()[0].as_string()), std::string(p.as_array()[1].as_string()));
      }
    } else if (c.contains("body")) {
      params.clear();  // JSON bodies: the URL (with bodySHA256) alone is signed
    }
    const std::string expected(c.contains("expected_signature") ? c.at("expected_signature").as_string()
                                                                : c.at("signature").as_string());
    INFO(name);
    CHECK(verify_twilio_signature(token, url, params, expected));
    CHECK_FALSE(verify_twilio_signature("54321", url, params, expected));
    ++checked;
  }
  CHECK(checked == 7);
  const auto& derived = v.at("derived_not_official").as_object();
  auto form_text = herald::test::fixture_text("twilio/status_callback_sent_docs.form");
  auto form = form_decode(*form_text);
  REQUIRE(form);
  CHECK(verify_twilio_signature(token, std::string(derived.at("url").as_string()), *form,
                                std::string(derived.at("expected_signature").as_string())));
  form->back().second = "tampered";
  CHECK_FALSE(verify_twilio_signature(token, std::string(derived.at("url").as_string()), *form,
                                      std::string(derived.at("expected_signature").as_string())));
}

TEST_CASE("SendGrid events: every kind in the providers' payloads maps to a status, note, engagement or opt-out") {
  auto text = herald::test::fixture_text("sendgrid/event_webhook_per_event_docs_realistic_ids.json");
  if (!text) return;
  auto events = parse_sendgrid_events(*text);
  REQUIRE(events);
  std::map<std::string, std::string> seen;  // event (+type) -> effect:status
  for (const auto& e : *events) {
    CHECK(!e.raw_json.empty());
    CHECK(e.at_ms > 0);
    seen[e.event + (e.event == "bounce" ? "/" + e.status : "")] = std::string(effect_name(e.effect)) + ":" + e.status;
  }
  CHECK(seen["processed"] == "status:sent");
  CHECK(seen["delivered"] == "status:delivered");
  CHECK(seen["dropped"] == "status:dropped");
  CHECK(seen["bounce/bounced"] == "status:bounced");
  CHECK(seen["bounce/blocked"] == "status:blocked");
  CHECK(seen["deferred"] == "note:deferred");
  CHECK(seen["open"] == "engagement:opened");
  CHECK(seen["click"] == "engagement:clicked");
  CHECK(seen["spamreport"] == "opt_out:");
  CHECK(seen["unsubscribe"] == "opt_out:");
  CHECK(seen["group_unsubscribe"] == "opt_out:");
  CHECK(seen["group_resubscribe"] == "opt_in:");
  // All eleven kinds of the documentation's sample parse too.
  auto all = parse_sendgrid_events(*herald::test::fixture_text("sendgrid/event_webhook_all_events_docs.json"));
  REQUIRE(all);
  CHECK(all->size() == 11);
  for (const auto& e : *all) CHECK(e.effect != event_effect::ignored);
}

TEST_CASE("SendGrid events: custom args flattened into the event carry the attempt id, bad bodies name the entry") {
  auto events = parse_sendgrid_events(
      R"([{"event":"delivered","email":"d@example.com","timestamp":1700000000,"sg_event_id":"e1",
           "sg_message_id":"m1","herald_attempt":"c-abc.1"}])");
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].attempt_id == "c-abc.1");
  CHECK((*events)[0].event_id == "e1");
  CHECK((*events)[0].at_ms == 1700000000000);
  CHECK_FALSE(parse_sendgrid_events("{}"));
  CHECK_FALSE(parse_sendgrid_events("[1]"));
  auto missing = parse_sendgrid_events(R"([{"email":"x"}])");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().field() == "[0].event");
  CHECK_FALSE(parse_sendgrid_events("not json"));
}

TEST_CASE("SendGrid events: any JSON number as timestamp is read or ignored, never thrown on (fuzzing found it)") {
  // Regression: 1513299569.5 made to_number<int64> throw, so the webhook
  // answered 500 (and the fuzz target aborted).
  auto events = parse_sendgrid_events(R"([
    {"event":"delivered","email":"a@example.com","sg_event_id":"e1","timestamp":1513299569.5},
    {"event":"delivered","email":"a@example.com","sg_event_id":"e2","timestamp":-4},
    {"event":"delivered","email":"a@example.com","sg_event_id":"e3","timestamp":1e300},
    {"event":"delivered","email":"a@example.com","sg_event_id":"e4","timestamp":18446744073709551615}])");
  REQUIRE(events);
  REQUIRE(events->size() == 4);
  CHECK((*events)[0].at_ms == 1513299569500);
  for (std::size_t i = 1; i < 4; ++i) CHECK((*events)[i].at_ms == 0);  // not a plausible time: none
}

TEST_CASE("SendGrid Mail Send: the body has what the API requires, the attempt id in custom_args, no repeated address") {
  auto body = sendgrid_mail_body(email_attempt(), content, {"noreply@herald.example", "Herald"});
  REQUIRE(body);
  const auto v = json::parse(*body).as_object();
  const auto& p = v.at("personalizations").as_array().at(0).as_object();
  CHECK(p.at("to").as_array().at(0).at("email") == "dana@example.com");
  CHECK(p.at("cc").as_array().size() == 1);  // dana@ is already in "to"
  CHECK(p.at("custom_args").at("herald_attempt") == "c-abc.1");
  CHECK(v.at("from").at("email") == "noreply@herald.example");
  CHECK(v.at("subject") == "Booking confirmed");
  const auto& parts = v.at("content").as_array();
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].at("type") == "text/plain");  // the API wants text/plain first
  CHECK(parts[1].at("type") == "text/html");
  CHECK(v.at("attachments").as_array().at(0).at("content") == "Y2VydGlmaWNhdGU=");
  CHECK(v.at("categories").as_array().at(0) == "Booking");

  auto spec_text = herald::test::fixture_text("sendgrid/mail_send_v3_openapi_path_spec.json");
  if (!spec_text) return;
  // Valid against the request schema of SendGrid's own OpenAPI spec.
  const auto spec = json::parse(*spec_text);
  const auto& schema =
      spec.at("mail_send").at("post").at("requestBody").at("content").at("application/json").at("schema");
  std::vector<std::string> problems;
  check_schema(schema, json::parse(*body), "body", problems);
  CHECK(problems.empty());
  for (const auto& p : problems) INFO(p);
  CHECK(schema.at("required").as_array().size() >= 3);  // the check has something to check
  // And the checker finds a broken body.
  auto broken = json::parse(*body).as_object();
  broken.erase("personalizations");
  broken["content"] = "text";
  problems.clear();
  check_schema(schema, broken, "body", problems);
  CHECK(problems.size() >= 2);
  auto no_address = email_attempt();
  no_address.recipient.email.clear();
  auto refused = sendgrid_mail_body(no_address, content, {"a@b.c", ""});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().field() == "recipient.email");
}

TEST_CASE("Twilio: E.164 is checked before sending, the form names the callback with the attempt") {
  CHECK(herald::domain::is_e164("+447700900123"));
  CHECK(herald::domain::is_e164("+15017122661"));
  CHECK_FALSE(herald::domain::is_e164("07700900123"));
  CHECK_FALSE(herald::domain::is_e164("+0123"));
  CHECK_FALSE(herald::domain::is_e164("+44 7700 900123"));
  CHECK_FALSE(herald::domain::is_e164("+1234567890123456"));
  auto form = twilio_message_form(email_attempt(), content, {"+15017122661", "https://h.example/v1/webhooks/twilio"});
  REQUIRE(form);
  const std::string encoded = form_encode(*form);
  CHECK(encoded.find("To=%2B447700900123") != std::string::npos);
  CHECK(encoded.find("Body=Hi") != std::string::npos);
  CHECK(encoded.find("From=%2B15017122661") != std::string::npos);
  CHECK(encoded.find("StatusCallback=https%3A%2F%2Fh.example%2Fv1%2Fwebhooks%2Ftwilio%3Fherald_attempt%3Dc-abc.1") !=
        std::string::npos);
  auto bad = email_attempt();
  bad.recipient.mobile = "07700 900123";
  auto refused = twilio_message_form(bad, content, {"+15017122661", ""});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().field() == "recipient.mobile");
}

TEST_CASE("Twilio: the providers' request, answer and status callback read as expected") {
  auto request = herald::test::fixture_text("twilio/create_message_request.form");
  if (!request) return;
  auto form = form_decode(*request);
  REQUIRE(form);
  CHECK((*form)[0] == std::pair<std::string, std::string>{"Body", "McAvoy or Stewart? These timelines can get so confusing."});
  // Encoding what we decoded gives a form Twilio reads the same way.
  CHECK(form_decode(form_encode(*form)) == form);
  auto answer = parse_twilio_answer(*herald::test::fixture_text("twilio/create_message_response_201.json"));
  REQUIRE(answer);
  CHECK(answer->sid.rfind("SM", 0) == 0);
  CHECK(answer->status == "queued");
  auto callback = form_decode(*herald::test::fixture_text("twilio/status_callback_sent_docs.form"));
  REQUIRE(callback);
  auto e = parse_twilio_callback(*callback, "herald_attempt=c-abc.1");
  REQUIRE(e);
  CHECK(e->attempt_id == "c-abc.1");
  CHECK(e->provider_message_id == "SM1342fe1b2c904d1ab04f0fc7a58abca9");
  CHECK(e->effect == event_effect::status);
  CHECK(e->status == "sent");
  CHECK(e->event_id == "SM1342fe1b2c904d1ab04f0fc7a58abca9:sent");
  form_params undelivered{{"MessageSid", "SM1"}, {"MessageStatus", "undelivered"}, {"ErrorCode", "30003"}};
  auto u = parse_twilio_callback(undelivered, "");
  REQUIRE(u);
  CHECK(u->status == "undelivered");
  CHECK(u->reason == "Twilio error 30003");
  auto missing = parse_twilio_callback({{"MessageStatus", "sent"}}, "");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().field() == "MessageSid");
  CHECK_FALSE(form_decode("a=%zz"));
}

TEST_CASE("Statuses move only forward: a late report does not undo delivery, timeline entries move nothing") {
  using herald::domain::status_supersedes;
  CHECK(status_supersedes("queued", "sent"));
  CHECK(status_supersedes("sent", "delivered"));
  CHECK(status_supersedes("delivered", "bounced"));
  CHECK_FALSE(status_supersedes("delivered", "sent"));
  CHECK_FALSE(status_supersedes("bounced", "delivered"));
  CHECK_FALSE(status_supersedes("sent", "deferred"));
  CHECK_FALSE(status_supersedes("sent", "opened"));
  CHECK_FALSE(status_supersedes("delivered", "delivered"));
}

TEST_CASE("SMTP message: envelope has every recipient once, Bcc stays out of the headers, no header injection") {
  auto a = email_attempt();
  a.bcc.push_back({"User/b", "Boss", "boss@example.com", "", {}});
  a.subject = "Hi\r\nBcc: victim@example.com";
  auto m = build_smtp_message(a, R"({"subject":"Hi\r\nBcc: victim@example.com","text":"Hi","html":"<p>Hi</p>"})",
                              "Herald <noreply@herald.test>", "Sun, 22 Nov 2026 10:00:00 +0000");
  REQUIRE(m);
  CHECK(m->mail_from == "noreply@herald.test");
  CHECK(m->recipients == std::vector<std::string>{"dana@example.com", "manager@example.com", "boss@example.com"});
  CHECK(m->data.find("boss@example.com") == std::string::npos);
  CHECK(m->data.find("\r\nBcc:") == std::string::npos);
  CHECK(m->data.find("Subject: Hi  Bcc: victim@example.com\r\n") != std::string::npos);
  CHECK(m->data.find("Cc: \"Manager\" <manager@example.com>\r\n") != std::string::npos);
  CHECK(m->data.find("Message-ID: <c-abc.1@herald>") != std::string::npos);
  CHECK(m->data.find("multipart/mixed") == std::string::npos);  // no attachments
  // Lines end in CRLF only.
  for (std::size_t i = m->data.find('\n'); i != std::string::npos; i = m->data.find('\n', i + 1)) {
    REQUIRE(i > 0);
    CHECK(m->data[i - 1] == '\r');
  }
  auto none = email_attempt();
  none.recipient.email.clear();
  CHECK_FALSE(build_smtp_message(none, "{}", "a@b.c", "x"));
}

TEST_CASE("UBL invoice: a Peppol BIS 3.0 invoice with the fixture's identifiers, totals from the entity") {
  const auto invoice = json::parse(R"({"label":"INV-1001","fields":{"Number":"INV-1001","Total":"480.00",
      "Currency":"GBP","DueDate":"2026-11-15","VatRate":20}})").as_object();
  herald::domain::recipient_info buyer{"Account/a-1", "Acme & Sons", "", "", json::parse(R"(["1 High St","Leeds","LS1 1AA"])")};
  auto xml = build_ubl_invoice(invoice, buyer, "0088:5790000435975", {"0088:1234567890128", "Training Co", "GB"},
                               "2026-11-22");
  REQUIRE(xml);
  CHECK(xml->find("<cbc:ID>INV-1001</cbc:ID>") != std::string::npos);
  CHECK(xml->find("<cbc:IssueDate>2026-11-22</cbc:IssueDate>") != std::string::npos);
  CHECK(xml->find("<cbc:DueDate>2026-11-15</cbc:DueDate>") != std::string::npos);
  CHECK(xml->find("<cbc:PayableAmount currencyID=\"GBP\">480.00</cbc:PayableAmount>") != std::string::npos);
  CHECK(xml->find("<cbc:TaxExclusiveAmount currencyID=\"GBP\">400.00</cbc:TaxExclusiveAmount>") != std::string::npos);
  CHECK(xml->find("<cbc:TaxAmount currencyID=\"GBP\">80.00</cbc:TaxAmount>") != std::string::npos);
  CHECK(xml->find("<cbc:EndpointID schemeID=\"0088\">5790000435975</cbc:EndpointID>") != std::string::npos);
  CHECK(xml->find("Acme &amp; Sons") != std::string::npos);
  CHECK(xml->find("<cbc:CityName>Leeds</cbc:CityName>") != std::string::npos);

  auto missing = build_ubl_invoice(json::parse(R"({"fields":{"Total":"1"}})").as_object(), buyer, "0088:1",
                                   {"0088:2", "S", "GB"}, "2026-11-22");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().field() == "fields.Number");
  CHECK(build_ubl_invoice(invoice, buyer, "", {"0088:2", "S", "GB"}, "x").error().field() == "recipient.peppol_id");

  auto fixture = herald::test::fixture_text("einvoicing/peppol_bis3_base-example.xml");
  if (!fixture) return;
  // The same specification identifiers as the standard's own example, and
  // every element our invoice uses appears in it.
  for (const char* id : {"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
                         "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"}) {
    CHECK(fixture->find(id) != std::string::npos);
    CHECK(xml->find(id) != std::string::npos);
  }
  for (std::size_t i = xml->find("<c"); i != std::string::npos; i = xml->find("<c", i + 1)) {
    const std::string name = xml->substr(i, xml->find_first_of(" >", i) - i);
    INFO(name);
    CHECK(fixture->find(name) != std::string::npos);
  }
}

TEST_CASE("letter PDF: a real PDF with the address block, no address is an error naming it") {
  auto a = email_attempt();
  a.recipient.address = json::parse(R"("1 High Street, Leeds, LS1 1AA")");
  std::string long_text(3000, 'x');
  for (std::size_t i = 7; i < long_text.size(); i += 8) long_text[i] = ' ';
  auto pdf = render_letter_pdf(a, json::serialize(json::object{{"subject", "Your certificate — well done"},
                                                              {"text", "Dear Zoë,\n" + long_text}}),
                               "22 November 2026");
  REQUIRE(pdf);
  CHECK(pdf->rfind("%PDF-", 0) == 0);
  CHECK(pdf->find("%%EOF") != std::string::npos);
  CHECK(pdf->size() > 1000);
  CHECK(address_lines(a.recipient.address) == std::vector<std::string>{"1 High Street", "Leeds", "LS1 1AA"});
  auto none = email_attempt();
  auto refused = render_letter_pdf(none, "{}", "today");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().field() == "recipient.address");
}

TEST_CASE("post and e-invoice status webhooks map to statuses, bad entries are named") {
  auto e = parse_status_webhook("einvoice", R"({"reference":"c-1.1","status":"accepted","at":"2026-11-22T10:00:00Z"})");
  REQUIRE(e);
  CHECK((*e)[0].status == "delivered");
  CHECK((*e)[0].event_id == "c-1.1:accepted");
  auto p = parse_status_webhook("post", R"([{"reference":"c-1.1","status":"printed"},{"reference":"c-1.1","status":"returned","reason":"moved away"}])");
  REQUIRE(p);
  CHECK((*p)[0].effect == event_effect::note);
  CHECK((*p)[1].status == "undelivered");
  CHECK(parse_status_webhook("post", R"([{"status":"posted"}])").error().field() == "[0].reference");
  CHECK(parse_status_webhook("post", R"({"reference":"x"})").error().field() == "[0].status");
  CHECK(parse_status_webhook("post", R"({"reference":"x","status":"posted","at":"soon"})").error().field() == "[0].at");
  CHECK_FALSE(parse_status_webhook("post", "7"));
}
