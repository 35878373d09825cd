#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "domain/sender.hpp"

using namespace herald::domain;
namespace json = boost::json;

namespace {
entity_record record(const std::string& label, const char* contact, const char* fields = "{}",
                     std::map<std::string, std::string> links = {}) {
  entity_record r;
  r.label = label;
  r.contact = json::parse(contact).as_object();
  r.fields = json::parse(fields).as_object();
  r.links = std::move(links);
  return r;
}
}  // namespace

TEST_CASE("sender: a user, a group, the assigned user, an address, nobody with an email falls back, saying why") {
  std::map<std::string, entity_record> db;
  db["User/u-7"] = record("Ann Owner", R"({"email":"ann@example.com"})");
  db["User/u-8"] = record("Bob", R"({})");
  db["User/u-9"] = record("Cy", R"({"email":"cy@example.com"})");
  db["Account/a-1"] = record("Acme", R"({})", R"({"Assigned":["User/u-9","User/u-7"]})", {{"Manager", "User/u-7"}});
  entity_lookup lookup = [&db](const std::string& k) -> const entity_record* {
    auto it = db.find(k);
    return it == db.end() ? nullptr : &it->second;
  };
  const auto invoice = record("INV-1", R"({})", "{}", {{"Account", "Account/a-1"}});
  const entity_key key = *parse_entity_key("Invoice/i-1");
  std::map<std::string, std::vector<std::string>> roles{{"billing", {"User/u-8", "User/u-9"}}};
  const std::string fallback = "Herald <noreply@herald.test>";
  auto resolve = [&](const std::string& spec) { return resolve_sender(spec, key, invoice, lookup, roles, fallback); };

  CHECK(resolve("").mailbox == fallback);
  CHECK(resolve("User/u-7").mailbox == "Ann Owner <ann@example.com>");
  CHECK(resolve("role:billing").mailbox == "Cy <cy@example.com>");  // the first member with an email
  CHECK(resolve("assigned:Account.Manager").mailbox == "Ann Owner <ann@example.com>");
  CHECK(resolve("assigned:Account.Assigned").mailbox == "Cy <cy@example.com>");  // assigned first
  CHECK(resolve("Billing <billing@example.com>").mailbox == "Billing <billing@example.com>");
  auto none = resolve("User/u-8");
  CHECK(none.mailbox == fallback);
  CHECK(none.note == "sender User/u-8: no email");
  CHECK(resolve("role:nobody").note == "sender role:nobody: no such role");
  CHECK(resolve("assigned:Account.Nothing").note == "sender assigned:Account.Nothing: nobody assigned");
  CHECK(resolve("User/u-404").mailbox == fallback);
}
