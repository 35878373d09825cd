#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "domain/cloud_event.hpp"
#include "domain/entity_record.hpp"
#include "domain/scratch_json.hpp"

namespace json = boost::json;
using namespace herald::domain;

namespace {
entity_record record(const char* text) {
  auto r = parse_entity_record(json::parse(text));
  REQUIRE(r);
  return *r;
}
}  // namespace

TEST_CASE("entity keys are Module/Id", "[domain][entity]") {
  auto k = parse_entity_key("Delegate/d-42");
  REQUIRE(k);
  CHECK(k->module == "Delegate");
  CHECK(k->id == "d-42");
  CHECK(parse_entity_key("Invoice/2026/7")->id == "2026/7");
  for (const char* bad : {"tests", "/x", "Delegate/", "1abc/x", "Mod ule/x", "https://cloudevents.io",
                          "A/b\nc"}) {
    INFO(bad);
    CHECK_FALSE(parse_entity_key(bad));
    CHECK_FALSE(is_entity_key(bad));
  }
  CHECK(is_entity_key("Delegate/d-42"));
  CHECK(is_entity_key("Invoice/2026/7"));
}

TEST_CASE("a module name is an ASCII letter, then ASCII letters, digits, '_' and '-'", "[domain][entity]") {
  std::size_t wrong = 0;
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool letter = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    const bool inner = letter || (b >= '0' && b <= '9') || b == '_' || b == '-';
    if (parse_entity_key(std::string(1, c) + "x/1").has_value() != letter) ++wrong;
    if (c != '/' && parse_entity_key("M" + std::string(1, c) + "/1").has_value() != inner) ++wrong;  // '/' ends it
  }
  CHECK(wrong == 0);
}

TEST_CASE("entity data of the wrong shape names the member", "[domain][entity]") {
  struct bad_case {
    const char* text;
    const char* field;
  };
  for (auto c : {bad_case{R"({"fields":[]})", "data.fields"},
                 bad_case{R"({"links":{"User":"nobody"}})", "data.links.User"},
                 bad_case{R"({"contact":{"email":5}})", "data.contact.email"},
                 bad_case{R"({"contact":{"fax":"x"}})", "data.contact.fax"},
                 bad_case{R"({"contact_invalid":[1]})", "data.contact_invalid"},
                 bad_case{R"({"label":1})", "data.label"},
                 bad_case{R"({"feilds":{}})", "data.feilds"},
                 bad_case{R"("text")", "data"}}) {
    INFO(c.text);
    auto r = parse_entity_record(json::parse(c.text));
    REQUIRE_FALSE(r);
    CHECK(r.error().field() == c.field);
  }
}

TEST_CASE("changed fields compare a record with the one before", "[domain][entity]") {
  auto before = record(R"({"label":"Jane","fields":{"Status":"Booked","Seats":1},
      "links":{"CourseDate":"CourseDate/cd-1"},"contact":{"email":"j@x"}})");
  auto after = record(R"({"label":"Jane","fields":{"Status":"Cancelled","Seats":1,"Note":"n"},
      "links":{"CourseDate":"CourseDate/cd-2"},"contact":{"email":"j@x","mobile":"+44"}})");
  CHECK(changed_fields(&before, after) ==
        std::vector<std::string>{"CourseDate", "Note", "Status", "contact.mobile"});
  CHECK(changed_fields(&before, before).empty());
  auto removed = record(R"({"label":"Janet","fields":{}})");
  CHECK(changed_fields(&before, removed) ==
        std::vector<std::string>{"CourseDate", "Seats", "Status", "contact.email", "label"});
  CHECK(changed_fields(nullptr, before) ==
        std::vector<std::string>{"CourseDate", "Seats", "Status", "contact.email", "label"});
}

TEST_CASE("an event's effect on its entity follows subject, data and type", "[domain][entity]") {
  cloud_event ev;
  ev.type = "delegate.saved";
  CHECK_FALSE(entity_effect_of(ev).key);
  ev.subject = "Delegate d-1";
  CHECK_FALSE(entity_effect_of(ev).key);
  ev.subject = "Delegate/d-1";
  ev.data_kind = data_form::json;
  ev.data = "{}";
  auto saved = entity_effect_of(ev);
  CHECK(*saved.key == "Delegate/d-1");
  CHECK(saved.carries_record);
  CHECK_FALSE(saved.deletes);
  ev.type = "delegate.deleted";
  ev.data_kind = data_form::none;
  auto deleted = entity_effect_of(ev);
  CHECK(deleted.deletes);
  CHECK_FALSE(deleted.carries_record);
}

TEST_CASE("a record read from a scratch document owns its memory", "[domain][entity]") {
  // scratch_json's nodes live in its own buffer; what the record keeps must
  // have been copied out into ordinary memory, or it would dangle.
  std::optional<herald::domain::entity_record> kept;
  {
    const herald::domain::scratch_json doc(
        R"({"label":"Jane","fields":{"Status":"Booked","Seats":{"n":2}},"contact":{"email":"j@example.com","address":{"city":"Leeds"}}})");
    REQUIRE(doc.ok());
    CHECK_FALSE(*doc.value().storage() == *json::storage_ptr());  // the check below can tell them apart
    auto r = parse_entity_record(doc.value());
    REQUIRE(r);
    kept = std::move(*r);
  }
  const json::storage_ptr ordinary;
  CHECK(*kept->fields.storage() == *ordinary);
  CHECK(*kept->fields.at("Seats").storage() == *ordinary);
  CHECK(*kept->contact.storage() == *ordinary);
  CHECK(*kept->contact.at("address").storage() == *ordinary);
  CHECK(kept->fields.at("Seats").at("n").as_int64() == 2);
  CHECK(kept->contact.at("address").at("city").as_string() == "Leeds");
}

TEST_CASE("a scratch document reports a parse error", "[domain][entity]") {
  const herald::domain::scratch_json doc("{\"label\":");
  CHECK_FALSE(doc.ok());
}
