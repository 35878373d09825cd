// The demo the run command loads (examples/training: the six workflows of
// seed 001) end to end under time skipping. The demo's dates are fixed and
// the virtual clock starts today, so every assertion here holds whatever
// day the test runs on.

#include <catch2/catch.hpp>

#include <thread>

#include <map>
#include <set>

#include "tests/support/engine_client.hpp"
#include "tests/support/eventually.hpp"

namespace json = boost::json;
using herald::test::engine_client;

namespace {

std::vector<std::string> demo_flags() {
  return {"--time-skipping", "--config", std::string(HERALD_EXAMPLES_DIR) + "/training/herald.json", "--load",
          std::string(HERALD_EXAMPLES_DIR) + "/training"};
}

// (workflow, mapped_to) -> attempts
std::multimap<std::pair<std::string, std::string>, json::object> by_workflow(engine_client& e) {
  std::multimap<std::pair<std::string, std::string>, json::object> out;
  for (const auto& a : e.items("/v1/log?limit=1000")) {
    const auto& o = a.as_object();
    out.emplace(std::pair{std::string(o.at("workflow").as_string()), std::string(o.at("mapped_to").as_string())}, o);
  }
  return out;
}

}  // namespace

TEST_CASE("the demo's six seed workflows produce their communications", "[system][demo]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"), demo_flags());
  REQUIRE(e.settle().status == 200);
  CHECK(e.items("/v1/workflows").size() == 6);
  CHECK(e.items("/v1/templates").size() == 6);

  // Certificates at once: the completed course date reaches each of its delegates.
  auto log = by_workflow(e);
  REQUIRE(log.count({"certificate", "Delegate/d-5"}) == 1);
  REQUIRE(log.count({"certificate", "Delegate/d-6"}) == 1);
  CHECK(log.find({"certificate", "Delegate/d-5"})->second.at("recipient").at("key") == "User/u-1");

  REQUIRE(e.advance("P1D").status == 200);
  log = by_workflow(e);
  // Booking confirmations two minutes after the booking.
  CHECK(log.find({"booking-confirmation", "Delegate/d-1"})->second.at("status") == "delivered");
  CHECK(log.find({"booking-confirmation", "Delegate/d-3"})->second.at("status") == "delivered");
  // Sam cancelled in the same breath: no confirmation, but a cancellation by SMS
  // (no email on file) and one to his manager.
  CHECK(log.count({"booking-confirmation", "Delegate/d-2"}) == 0);
  auto sam = log.find({"delegate-cancellation", "Delegate/d-2"});
  REQUIRE(sam != log.end());
  CHECK(sam->second.at("channel") == "sms");
  CHECK(sam->second.at("recipient").at("mobile") == "+447700900102");
  auto manager = log.find({"delegate-cancellation-manager", "Delegate/d-2"});
  REQUIRE(manager != log.end());
  CHECK(manager->second.at("recipient").at("key") == "User/u-10");
  CHECK(manager->second.at("subject") == "Sam Smith cancelled First Aid at Work");
  // Ola has no contact at all: not sent, and a manual task.
  auto ola = log.find({"booking-confirmation", "Delegate/d-4"});
  REQUIRE(ola != log.end());
  CHECK(ola->second.at("status") == "not_sent");
  CHECK(ola->second.at("status_reason") == "no_contact");
  CHECK(e.items("/v1/tasks").size() == 1);

  // Far enough ahead for every date in the demo.
  REQUIRE(e.advance("P120D").status == 200);
  log = by_workflow(e);
  CHECK(log.count({"invoice-overdue", "Invoice/inv-1"}) == 1);
  CHECK(log.count({"invoice-overdue", "Invoice/inv-2"}) == 0);  // paid
  REQUIRE(log.count({"invoice-overdue", "Invoice/inv-3"}) == 1);  // Ola, the payer, has no contact
  CHECK(log.find({"invoice-overdue", "Invoice/inv-3"})->second.at("status") == "not_sent");
  CHECK(log.count({"low-viability", "CourseDate/cd-1"}) == 1);
  CHECK(log.count({"low-viability", "CourseDate/cd-2"}) == 0);  // viability Good
  CHECK(log.find({"low-viability", "CourseDate/cd-1"})->second.at("recipient").at("key") == "User/u-admin");
  CHECK(e.items("/v1/queue").empty());
  CHECK(e.items("/v1/tasks").size() == 2);  // Ola's booking and her invoice
}

TEST_CASE("loading the demo again changes nothing", "[system][demo]") {
  herald::test::temp_dir dir;
  {
    engine_client e(dir.sub("data"), demo_flags());
    REQUIRE(e.settle().status == 200);
  }
  engine_client e(dir.sub("data"), demo_flags());
  REQUIRE(e.settle().status == 200);
  CHECK(e.get("/v1/workflows/booking-confirmation").body.at("version") == 1);
  CHECK(e.get("/v1/templates/certificate").body.at("version") == 1);
  CHECK(by_workflow(e).count({"certificate", "Delegate/d-5"}) == 1);  // not sent twice
}

TEST_CASE("the demo on the real clock: the certificates reach the delegates loaded in the same batch",
          "[system][demo]") {
  // The course date completes in the same file that books its delegates, and
  // the certificate is due at once. Before timers waited for the events
  // routed ahead of them, it raced the delegates' links and went to nobody
  // about every other start.
  for (int run = 0; run < 3; ++run) {
    herald::test::temp_dir dir;
    engine_client e(dir.sub("data"), {"--config", std::string(HERALD_EXAMPLES_DIR) + "/training/herald.json", "--load",
                                      std::string(HERALD_EXAMPLES_DIR) + "/training"});
    std::size_t certificates = 0;
    herald::test::eventually(
        [&] {
          certificates = e.items("/v1/log?workflow=certificate").size();
          return certificates >= 2;
        },
        std::chrono::seconds(5), herald::test::http_poll);
    CHECK(certificates == 2);
    for (const auto& t : e.items("/v1/tasks?limit=100")) CHECK(t.at("workflow") != "certificate");
  }
}

TEST_CASE("with the demo's modules declared, a workflow with a misspelt path answers 400 naming it",
          "[system][demo][modules]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"), demo_flags());
  const std::string typo = R"({"title":"Booked","module":"Delegate","trigger":{"on":"delegate.saved"},
      "rules":[{"field":"Status","op":"eq","value":"Booked"},{"field":"CourseDate.Staus","op":"eq","value":"Available"}],
      "actions":[{"kind":"send","template":"booking-confirmation","to":["User"]}]})";
  auto r = e.put("/v1/workflows/booked", typo);
  CHECK(r.status == 400);
  CHECK(r.body.at("error").at("field") == "rules[1].field");
  CHECK(std::string(r.body.at("error").at("message").as_string()).find("'Staus'") != std::string::npos);
  CHECK(e.get("/v1/workflows/booked").status == 404);  // nothing stored
  std::string fixed = typo;
  fixed.replace(fixed.find("Staus"), 5, "Status");
  CHECK(e.put("/v1/workflows/booked", fixed).status == 200);
  // A module the config does not declare is not checked.
  CHECK(e.put("/v1/workflows/other", R"({"title":"Other","module":"Room","trigger":{"on":"room.saved"},
      "rules":[{"field":"Anything.At.All","op":"exists"}],
      "actions":[{"kind":"send","template":"booking-confirmation","to":["@self"]}]})").status == 200);
}
