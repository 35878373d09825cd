#include <catch2/catch.hpp>

#include <limits>

#include <boost/json.hpp>

#include "domain/communication.hpp"
#include "domain/hex.hpp"
#include "domain/json_text.hpp"

namespace json = boost::json;
using namespace herald::domain;

namespace {

// Strings that need every kind of escape, and some that need none.
std::vector<std::string> awkward_strings() {
  std::vector<std::string> out{"", "plain", "quote \" and backslash \\", "slash / stays",
                               "Zoë, 日本語, emoji \xF0\x9F\x98\x80", "tab\tnew\nline\rform\fback\b",
                               "a\x01z\x1f\x7f"};
  std::string every;
  for (int c = 0; c < 128; ++c) every.push_back(static_cast<char>(c));
  out.push_back(every);
  out.push_back(std::string("nul \0 inside", 12));
  return out;
}

recipient_info recipient(const std::string& s, bool with_address) {
  recipient_info r;
  r.key = "User/" + s;
  r.name = s;
  r.email = s + "@example.com";
  r.mobile = "+44" + s;
  if (with_address) r.address = json::object{{"city", s}, {"lines", json::array{s, 1, true}}};
  return r;
}

}  // namespace

TEST_CASE("JSON strings are written as boost::json serializes them", "[domain][json]") {
  for (const auto& s : awkward_strings()) {
    std::string out;
    json_text::append_string(out, s);
    CHECK(out == json::serialize(json::string(s)));
    CHECK(json::parse(out).as_string() == s);
  }
}

TEST_CASE("a character to escape is escaped wherever it falls among eight-byte words", "[domain][json]") {
  // append_string skips whole words without one; each must be found in
  // every position, next to UTF-8 and DEL (neither escaped).
  const std::vector<std::string> specials = {"\"", "\\", "\n", "\t", std::string(1, '\0'), "\x01", "\x1f"};
  for (std::size_t length = 0; length <= 24; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const auto& special : specials) {
        std::string s(length, 'a');
        s.replace(at, 1, special);
        if (at + 1 < length) s[at + 1] = '\x7f';
        if (at > 2) s.replace(0, 2, "\xc3\xa9");  // é
        std::string out;
        json_text::append_string(out, s);
        INFO("length " << length << ", at " << at);
        CHECK(out == json::serialize(json::string(s)));
      }
    }
  }
}

TEST_CASE("members and strings are written whole on either side of the composed length", "[domain][json]") {
  // append_member, append_key and append_string compose what fits in a
  // stack buffer and append the rest in parts: every length around that
  // limit, first or not, plain or with something to escape, reads back as
  // the object boost::json writes.
  std::size_t differing = 0;
  for (std::size_t name_length : {1, 20, 120, 250, 251, 252, 253, 254, 255, 256, 300}) {
    const std::string name(name_length, 'k');
    for (std::size_t value_length = 230; value_length <= 262; ++value_length) {
      for (bool escaped : {false, true}) {
        std::string value(value_length, 'v');
        if (escaped) value[value_length / 2] = '"';
        std::string out = "{";
        json_text::append_member(out, "a", "1", true);
        json_text::append_member(out, name, value);
        json_text::append_key(out, name + "_");
        json_text::append_string(out, value);
        out += '}';
        const json::object expected{{"a", "1"}, {name, value}, {name + "_", value}};
        if (out != json::serialize(expected)) ++differing;
      }
    }
  }
  CHECK(differing == 0);
  std::string first;
  json_text::append_key(first, "only", true);
  CHECK(first == "\"only\":");
}

TEST_CASE("integers are written as boost::json serializes them, at both ends of their range", "[domain][json]") {
  for (std::int64_t n : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{7}, std::int64_t{1795000000123},
                         std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}) {
    std::string out = "[";
    json_text::append_int(out, n);
    out += ']';
    CHECK(out == boost::json::serialize(boost::json::array{n}));
  }
}

TEST_CASE("an attempt's and a communication's JSON read back as they were", "[domain][json]") {
  for (const auto& s : awkward_strings()) {
    INFO(json::serialize(json::string(s)));
    attempt_view a;
    a.id = "c-1." + s;
    a.communication_id = s;
    a.attempt = 3;
    a.status = "delivered";
    a.status_reason = s;
    a.channel = "email";
    a.provider = s;
    a.provider_message_id = s;
    a.mapped_to = "Delegate/" + s;
    a.mapped_to_label = s;
    a.customer = s;
    a.recipient = recipient(s, true);
    a.cc = {recipient(s, false), recipient(s + "2", true)};
    a.sender = s;
    a.subject = s;
    a.type = s;
    a.category = s;
    a.workflow = s;
    a.template_id = s;
    a.template_version = 7;
    a.instance_id = s;
    a.automated = false;
    a.resend_of = s;
    a.created_at = 1795000000123;
    a.sent_at = 0;
    a.updated_at = 1795000000456;
    a.timeline = {{"queued", "", 1795000000123}, {"bounced", s, 1795000000456}};

    std::string text;
    append_json(text, a);
    const json::value v = json::parse(text);
    auto back = attempt_from_json(v);
    REQUIRE(back);
    CHECK(back->id == a.id);
    CHECK(back->communication_id == s);
    CHECK(back->attempt == 3);
    CHECK(back->status_reason == s);
    CHECK(back->provider_message_id == s);
    CHECK(back->mapped_to_label == s);
    CHECK(back->recipient.name == s);
    CHECK(back->recipient.address == a.recipient.address);
    REQUIRE(back->cc.size() == 2);
    CHECK(back->cc[1].address == a.cc[1].address);
    CHECK(back->bcc.empty());
    CHECK(back->template_version == 7);
    CHECK_FALSE(back->automated);
    CHECK(back->resend_of == (s.empty() ? "" : s));
    CHECK(back->created_at == a.created_at);
    CHECK(back->sent_at == 0);
    CHECK(v.at("sent_at").is_null());
    REQUIRE(back->timeline.size() == 2);
    CHECK(back->timeline[1].reason == s);
    CHECK(back->timeline[1].at == 1795000000456);
    CHECK_FALSE(v.at("timeline").at(0).as_object().contains("reason"));

    communication_view c;
    c.id = "c-1";
    c.mapped_to = s;
    c.mapped_to_label = s;
    c.topic = s;
    c.recipient = recipient(s, true);
    c.latest_status = "queued";
    c.latest_attempt_id = a.id;
    c.subject = s;
    c.attempts = 2;
    c.last_attempt_at = 1795000000999;
    std::string ctext;
    append_json(ctext, c);
    auto cback = communication_from_json(json::parse(ctext));
    REQUIRE(cback);
    CHECK(cback->topic == s);
    CHECK(cback->recipient.email == c.recipient.email);
    CHECK(cback->attempts == 2);
    CHECK(cback->last_attempt_at == c.last_attempt_at);
  }
}

TEST_CASE("an attempt's JSON keeps its member order", "[domain][json]") {
  attempt_view a;
  a.id = "c-1.1";
  std::string text;
  append_json(text, a);
  // Readers and exports see the same shape as before it was written directly.
  const json::object o = json::parse(text).as_object();
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  CHECK(keys == std::vector<std::string>{"id", "communication_id", "attempt", "status", "status_reason", "channel",
                                         "provider", "provider_message_id", "mapped_to", "mapped_to_label",
                                         "customer", "recipient", "cc", "bcc", "sender", "subject", "type",
                                         "category", "workflow", "template", "template_version", "instance_id",
                                         "automated", "resend_of", "created_at", "sent_at", "updated_at",
                                         "timeline"});
  CHECK(o.at("created_at").is_null());
  CHECK(o.at("resend_of").is_null());
}

TEST_CASE("a communication written with its attempt leaves what they share to it and reads back whole",
          "[domain][json]") {
  attempt_view a;
  a.id = "c-1.2";
  a.communication_id = "c-1";
  a.attempt = 2;
  a.status = "queued";
  a.channel = "sms";
  a.mapped_to = "Delegate/d-1";
  a.mapped_to_label = "Dana";
  a.customer = "Account/a-1";
  a.recipient = recipient("dana", true);
  a.subject = "Resent: your booking";
  a.type = "booking";
  a.category = "Booking";
  a.workflow = "booking-confirmation";

  communication_view c;
  c.id = "c-1";
  c.topic = "booking-confirmation/0";
  c.mapped_to = a.mapped_to;
  c.mapped_to_label = a.mapped_to_label;
  c.customer = a.customer;
  c.recipient = a.recipient;
  c.latest_status = a.status;
  c.latest_attempt_id = a.id;
  c.channel = a.channel;
  c.subject = "Your booking";  // the first attempt's: a resend kept it
  c.type = a.type;
  c.category = a.category;
  c.workflow = a.workflow;
  c.attempts = 2;
  c.last_attempt_at = 1795000000999;

  std::string text;
  append_json(text, c, &a);
  json::object written = json::parse(text).as_object();
  for (const char* left_out : {"mapped_to", "mapped_to_label", "customer", "recipient", "latest_status",
                               "latest_attempt_id", "channel", "type", "category", "workflow"}) {
    INFO(left_out);
    CHECK_FALSE(written.contains(left_out));
  }
  CHECK(written.at("subject") == "Your booking");  // not the attempt's: kept
  CHECK(written.at("topic") == json::value(c.topic));

  std::string whole;
  append_json(whole, c);
  CHECK(text.size() < whole.size());

  std::string attempt_text;
  append_json(attempt_text, a);
  fill_from_carried_attempt(written, json::parse(attempt_text).as_object());
  CHECK(written == json::parse(whole).as_object());
  auto back = communication_from_json(written);
  REQUIRE(back);
  CHECK(back->subject == "Your booking");
  CHECK(back->latest_attempt_id == "c-1.2");
  CHECK(back->recipient.address == a.recipient.address);

  // A communication written whole keeps its own members.
  json::object old = json::parse(whole).as_object();
  old["channel"] = "letter";
  fill_from_carried_attempt(old, json::parse(attempt_text).as_object());
  CHECK(old.at("channel") == "letter");
}

TEST_CASE("a status update carries the attempt's identity and what a report changes, and rebuilds it whole",
          "[domain][json]") {
  attempt_view created;
  created.id = "c-1.1";
  created.communication_id = "c-1";
  created.status = "queued";
  created.channel = "email";
  created.provider = "sendgrid";
  created.mapped_to = "Delegate/d-1";
  created.mapped_to_label = "Dana";
  created.recipient = recipient("dana", true);
  created.cc = {recipient("manager", false)};
  created.subject = "Booking confirmed";
  created.workflow = "booking-confirmation";
  created.template_id = "booking";
  created.template_version = 3;
  created.instance_id = "i-1-booking";
  created.created_at = 1795000000123;
  created.updated_at = 1795000000123;
  created.timeline = {{"queued", "", 1795000000123}};

  attempt_view updated = created;
  updated.status = "bounced";
  updated.status_reason = "mailbox \"full\"";
  updated.provider_message_id = "sg-42";
  updated.sent_at = 1795000000200;
  updated.updated_at = 1795000000300;
  updated.timeline.push_back({"sent", "", 1795000000200});
  updated.timeline.push_back({"bounced", "mailbox \"full\"", 1795000000300});

  std::string whole_text, update_text, created_text;
  append_json(whole_text, updated);
  append_status_json(update_text, updated);
  append_json(created_text, created);
  const json::object update = json::parse(update_text).as_object();
  std::vector<std::string> keys;
  for (const auto& kv : update) keys.emplace_back(kv.key());
  CHECK(keys == std::vector<std::string>{"id", "communication_id", "channel", "mapped_to", "status", "status_reason",
                                         "provider_message_id", "created_at", "sent_at", "updated_at", "timeline"});
  CHECK(update_text.size() * 2 < whole_text.size());

  json::object rebuilt = json::parse(created_text).as_object();
  apply_status_update(rebuilt, update);
  CHECK(rebuilt == json::parse(whole_text).as_object());
  auto back = attempt_from_json(rebuilt);
  REQUIRE(back);
  CHECK(back->status == "bounced");
  CHECK(back->recipient.address == created.recipient.address);
  CHECK(back->timeline.size() == 3);
  CHECK(back->timeline[2].reason == "mailbox \"full\"");
  // The members keep the order the whole attempt is written in.
  std::vector<std::string> rebuilt_keys, whole_keys;
  for (const auto& kv : rebuilt) rebuilt_keys.emplace_back(kv.key());
  const json::value whole = json::parse(whole_text);
  for (const auto& kv : whole.as_object()) whole_keys.emplace_back(kv.key());
  CHECK(rebuilt_keys == whole_keys);
}

TEST_CASE("ids are the leading hex digits of the SHA-256 of what names them", "[domain][ids]") {
  // FIPS 180-2's test vectors: an id must not change with how it is computed.
  CHECK(herald::domain::stable_hash_hex("abc", 64) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(herald::domain::stable_hash_hex("", 16) == "e3b0c44298fc1c14");
  CHECK(herald::domain::communication_id("Delegate/1", "booking", "Delegate/1") ==
        "c-" + herald::domain::stable_hash_hex("Delegate/1\nbooking\nDelegate/1", 20));
  CHECK(herald::domain::communication_id("Delegate/1", "booking", "Delegate/1").size() == 22);
  // Stored communications are found again by this id: it may never change.
  CHECK(herald::domain::communication_id("Delegate/1", "booking", "Delegate/1") == "c-176adbe0137762d4c187");
  CHECK(herald::domain::stable_hash_hex("abc", 5) == "ba781");
  CHECK(herald::domain::stable_hash_hex("abc", 100).size() == 64);
  CHECK(herald::domain::stable_hash_hex("abc", 0).empty());
}

TEST_CASE("an attempt's id is its communication's and its number, and names the communication back",
          "[domain][ids]") {
  // Stored attempts and the attempts' indexes hold these ids: the form may never change.
  CHECK(herald::domain::attempt_id("c-176adbe0137762d4c187", 12) == "c-176adbe0137762d4c187.12");
  CHECK(herald::domain::communication_of_attempt(herald::domain::attempt_id("c-176adbe0137762d4c187", 1)) ==
        "c-176adbe0137762d4c187");
}

TEST_CASE("bytes are written as lower-case hex, two digits each", "[domain][ids]") {
  std::string every_byte;
  std::string expected;
  for (int b = 0; b < 256; ++b) {
    every_byte += static_cast<char>(b);
    expected += "0123456789abcdef"[b >> 4];
    expected += "0123456789abcdef"[b & 15];
  }
  CHECK(herald::domain::to_hex(every_byte) == expected);
  CHECK(herald::domain::to_hex("").empty());
}

TEST_CASE("a content snapshot is written as boost::json serializes the same object", "[domain][json]") {
  // The object fire_action built before: subject, template, version; once
  // rendered html, text, attachments and merge values; then extra members.
  auto as_object = [](const std::string& subject, const std::string& template_id, std::int64_t version,
                      const herald::domain::rendered_message* r, const json::object& extra) {
    json::object o{{"subject", subject}, {"template", template_id}, {"template_version", version}};
    if (r) {
      o["html"] = r->html;
      o["text"] = r->text;
      json::array attachments;
      for (const auto& att : r->attachments) {
        attachments.push_back(json::object{{"name", att.name}, {"content_type", att.content_type}, {"body", att.body}});
      }
      o["attachments"] = std::move(attachments);
      json::object merge;
      for (const auto& [k, v] : r->merge_values) merge[k] = v;
      o["merge_values"] = std::move(merge);
    }
    for (const auto& member : extra) o[member.key()] = member.value();
    return json::serialize(o);
  };
  herald::domain::rendered_message r;
  r.subject = "Booking \"confirmed\"";
  r.html = "<p class=\"x\">Dear D\xc3\xa9 \\ \n</p>";
  r.text = "Dear\tD0";
  r.attachments = {{"cert.pdf", "application/pdf", "JVBERi0="}, {"a\"b.txt", "text/plain", "line\n"}};
  r.merge_values = {{"FirstName", "D0"}, {"Course.Name", "C \"1\""}, {"Id", ""}};
  const json::object document{{"document", json::object{{"key", "Invoice/1"}, {"fields", json::object{{"Total", 12.5}}}}},
                              {"buyer_peppol_id", "0088:123"}};
  const std::vector<const herald::domain::rendered_message*> renders = {nullptr, &r};
  const std::vector<const json::object*> extras = {nullptr, &document};
  for (const auto* rendered : renders) {
    for (const auto* extra : extras) {
      const json::object none;
      const json::object& e = extra ? *extra : none;
      CHECK(herald::domain::content_snapshot_json(r.subject, "t", 3, rendered, e) ==
            as_object(r.subject, "t", 3, rendered, e));
    }
  }
  herald::domain::rendered_message empty;
  CHECK(herald::domain::content_snapshot_json("", "", 0, &empty, json::object{}) ==
        as_object("", "", 0, &empty, json::object{}));
}
