// The workflow engine end to end: `herald serve --time-skipping` as a child
// process, definitions and events over HTTP, time advanced through
// POST /v1/admin/time, outcomes read back from the log, the queue, tasks,
// instances and the entity view.

#include <catch2/catch.hpp>

#include <csignal>
#include <set>
#include <thread>

#include "domain/rfc3339.hpp"
#include "tests/support/engine_client.hpp"
#include "tests/support/events.hpp"

namespace json = boost::json;
using herald::test::engine_client;
using herald::test::event_line;

namespace {

const char* const booking_template = R"({"channel": "email",
  "subject": "Booking confirmed: @@CourseDate.Course.Name",
  "html": "<p>Dear @@User.FirstName, see you on @@CourseDate.StartDate.</p>",
  "text": "Dear @@User.FirstName, see you on @@CourseDate.StartDate."})";

const char* const booking_workflow = R"({"title": "Delegate - Booking Confirmation", "module": "Delegate",
  "enabled": true, "trigger": {"on": "delegate.saved"},
  "rules": [{"field": "Status", "op": "in", "values": ["Booked"]},
            {"field": "CourseDate.Status", "op": "in", "values": ["Available"]}],
  "actions": [{"kind": "send", "template": "booking-confirmation", "to": ["User"], "delay": "PT2M",
               "channels": ["email"], "category": "Booking", "type": "Email"}]})";

std::string world(const std::string& email = R"("jane@example.com")") {
  return event_line("c1", "Course/c-1", R"({"label":"First aid","fields":{"Name":"First aid"}})", "course.saved") + "\n" +
         event_line("cd1", "CourseDate/cd-1",
                    R"({"label":"First aid, 1 Dec","fields":{"Status":"Available","StartDate":"2026-12-01"},"links":{"Course":"Course/c-1"}})",
                    "coursedate.saved") + "\n" +
         event_line("u1", "User/u-1",
                    R"({"label":"Jane Doe","fields":{"FirstName":"Jane"},"contact":{"email":)" + email + "}}",
                    "user.saved") + "\n";
}

std::string delegate(const std::string& id, const std::string& status, const std::string& key = "Delegate/d-42") {
  return event_line(id, key,
                    R"({"label":"Jane on First aid","fields":{"Status":")" + status +
                        R"("},"links":{"User":"User/u-1","CourseDate":"CourseDate/cd-1"}})") + "\n";
}

// The booking workflow without its delay: its action is due when the
// instance is created.
std::string booking_workflow_due_at_once() {
  std::string w = booking_workflow;
  const std::string delay = R"("delay": "PT2M",)";
  return w.erase(w.find(delay), delay.size());
}

// An instance's timeline as "state", "state/action" or "state/action:reason".
std::vector<std::string> transitions(const json::value& instance) {
  std::vector<std::string> out;
  for (const auto& t : instance.at("timeline").as_array()) {
    std::string s(t.at("state").as_string());
    if (t.as_object().contains("action")) s += "/" + std::to_string(t.at("action").to_number<int>());
    if (t.as_object().contains("reason")) s += ":" + std::string(t.at("reason").as_string());
    out.push_back(s);
  }
  return out;
}

void define_booking(engine_client& e) {
  REQUIRE(e.put("/v1/templates/booking-confirmation", booking_template).status == 200);
  REQUIRE(e.put("/v1/workflows/booking-confirmation", booking_workflow).status == 200);
}

}  // namespace

TEST_CASE("a booking confirmation goes out two minutes after the booking", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  define_booking(e);
  REQUIRE(e.ingest(world() + delegate("d1", "Booked")).status == 202);

  auto queue = e.items("/v1/queue");
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].at("workflow") == "booking-confirmation");
  CHECK(queue[0].at("mapped_to") == "Delegate/d-42");
  CHECK(queue[0].at("recipients") == json::array{"User/u-1"});
  CHECK(e.items("/v1/log").empty());

  REQUIRE(e.advance("PT1M").status == 200);
  CHECK(e.items("/v1/log").empty());  // not yet due
  REQUIRE(e.advance("PT1M").status == 200);

  auto log = e.items("/v1/log");
  REQUIRE(log.size() == 1);
  const auto& a = log[0].as_object();
  CHECK(a.at("status") == "delivered");
  CHECK(a.at("channel") == "email");
  CHECK(a.at("subject") == "Booking confirmed: First aid");
  CHECK(a.at("recipient").at("email") == "jane@example.com");
  CHECK(a.at("mapped_to") == "Delegate/d-42");
  CHECK(a.at("category") == "Booking");
  CHECK(a.at("type") == "Email");
  CHECK(a.at("automated") == true);
  CHECK(a.at("workflow") == "booking-confirmation");
  CHECK(e.items("/v1/queue").empty());

  auto detail = e.get("/v1/log/" + std::string(a.at("id").as_string()));
  REQUIRE(detail.status == 200);
  CHECK(detail.body.at("content").at("html") == "<p>Dear Jane, see you on 2026-12-01.</p>");
  CHECK(detail.body.at("timeline").as_array().size() == 3);  // queued, sent, delivered

  auto comms = e.items("/v1/communications");
  REQUIRE(comms.size() == 1);
  CHECK(comms[0].at("latest_status") == "delivered");
  CHECK(comms[0].at("attempts") == 1);

  auto entity = e.get("/v1/entities/Delegate/d-42");
  auto instances = entity.body.at("instances").as_array();
  REQUIRE(instances.size() == 1);
  CHECK(instances[0].at("state") == "dispatched");
  CHECK(instances[0].at("trace").as_array().size() == 2);
  CHECK(instances[0].at("trace").at(1).at("seen") == "Available");
  // Every transition of its state machine, with its time: scheduled for two
  // minutes after it was created, fired and rendered then.
  const auto& timeline = instances[0].at("timeline").as_array();
  CHECK(transitions(instances[0]) ==
        std::vector<std::string>{"created", "scheduled/0", "fired/0", "rendered/0", "dispatched/0"});
  REQUIRE(timeline.size() == 5);
  const auto created_at = herald::domain::parse_rfc3339_ms(timeline[0].at("at").as_string());
  const auto due = herald::domain::parse_rfc3339_ms(timeline[1].at("due").as_string());
  const auto fired_at = herald::domain::parse_rfc3339_ms(timeline[2].at("at").as_string());
  REQUIRE((created_at && due && fired_at));
  CHECK(*due - *created_at == 120000);
  CHECK(*fired_at >= *due);
  CHECK(timeline[4].at("at") == timeline[2].at("at"));
  // GET /v1/instances/{id} shows the same.
  const auto one = e.get("/v1/instances/" + std::string(instances[0].at("id").as_string()));
  REQUIRE(one.status == 200);
  CHECK(transitions(one.body) == transitions(instances[0]));
}

TEST_CASE("an action due at once is sent in the event's own step, with no timer", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  REQUIRE(e.put("/v1/templates/booking-confirmation", booking_template).status == 200);
  REQUIRE(e.put("/v1/workflows/booking-confirmation", booking_workflow_due_at_once()).status == 200);
  REQUIRE(e.ingest(world() + delegate("d1", "Booked")).status == 202);

  // No time passes on the virtual clock: nothing waits for the scheduler.
  auto log = e.items("/v1/log");
  REQUIRE(log.size() == 1);
  CHECK(log[0].at("status") == "delivered");
  CHECK(e.items("/v1/queue").empty());
  auto entity = e.get("/v1/entities/Delegate/d-42").body;
  REQUIRE(entity.at("instances").as_array().size() == 1);
  CHECK(entity.at("instances").at(0).at("state") == "dispatched");
  CHECK(entity.at("instances").at(0).at("fire_trace").as_array().size() == 2);
  CHECK(transitions(entity.at("instances").at(0)) ==
        std::vector<std::string>{"created", "fired/0", "rendered/0", "dispatched/0"});
  // Created and fired in one record, which schedules no timer and carries
  // the attempt made: its audit trail is that record and the delivery.
  std::size_t instance_records = 0, attempt_records = 0;
  for (const auto& item : entity.at("history").at("items").as_array()) {
    if (item.at("type") == "herald.attempt.updated") ++attempt_records;
    if (item.at("type") != "herald.instance.updated") continue;
    ++instance_records;
    CHECK(item.at("data").at("timers_add").as_array().empty());
    CHECK(item.at("data").at("attempt").at("id") == log[0].at("id"));
    CHECK(item.at("data").at("attempt").at("status") == "queued");
  }
  CHECK(instance_records == 1);
  CHECK(attempt_records == 1);
  // The attempt's content is read from the instance's record.
  const auto full = e.get("/v1/log/" + std::string(log[0].at("id").as_string()));
  REQUIRE(full.status == 200);
  CHECK(full.body.at("content").at("subject") == log[0].at("subject"));
}

TEST_CASE("cc and bcc copy each email of the action", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  REQUIRE(e.put("/v1/templates/booking-confirmation", booking_template).status == 200);
  std::string workflow = booking_workflow;
  const std::string to = R"("to": ["User"])";
  workflow.replace(workflow.find(to), to.size(), R"("to": ["User"], "cc": ["User.Manager"], "bcc": ["@self"])");
  REQUIRE(e.put("/v1/workflows/booking-confirmation", workflow).status == 200);
  REQUIRE(e.ingest(world() + event_line("max", "User/u-2", R"({"label":"Max","contact":{"email":"max@example.com"}})", "user.saved") +
                   "\n" + event_line("u1b", "User/u-1",
                                     R"({"label":"Jane Doe","fields":{"FirstName":"Jane"},"links":{"Manager":"User/u-2"},"contact":{"email":"jane@example.com"}})",
                                     "user.saved") + "\n" + delegate("d1", "Booked")).status == 202);
  REQUIRE(e.advance("PT2M").status == 200);
  auto log = e.items("/v1/log");
  REQUIRE(log.size() == 1);
  CHECK(log[0].at("cc").at(0).at("email") == "max@example.com");
  CHECK(log[0].at("bcc").at(0).at("key") == "Delegate/d-42");
}

TEST_CASE("a booking cancelled inside the delay gets no confirmation", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  define_booking(e);
  REQUIRE(e.ingest(world() + delegate("d1", "Booked")).status == 202);
  REQUIRE(e.advance("PT1M").status == 200);
  REQUIRE(e.ingest(delegate("d2", "Cancelled")).status == 202);
  REQUIRE(e.advance("PT2M").status == 200);
  CHECK(e.items("/v1/log").empty());
  CHECK(e.items("/v1/queue").empty());
  auto instances = e.get("/v1/entities/Delegate/d-42").body.at("instances").as_array();
  REQUIRE(instances.size() == 1);
  CHECK(instances[0].at("state") == "not_sent");
  CHECK(instances[0].at("reason") == "rules_no_longer_match");
  CHECK(instances[0].at("fire_trace").at(0).at("held") == false);
  CHECK(instances[0].at("fire_trace").at(0).at("seen") == "Cancelled");
  CHECK(transitions(instances[0]) ==
        std::vector<std::string>{"created", "scheduled/0", "fired/0", "not_sent/0:rules_no_longer_match"});
}

TEST_CASE("deleting the entity cancels its pending sends", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  define_booking(e);
  REQUIRE(e.ingest(world() + delegate("d1", "Booked")).status == 202);
  REQUIRE(e.items("/v1/queue").size() == 1);
  REQUIRE(e.ingest(R"({"specversion":"1.0","id":"del","source":"test","type":"delegate.deleted","subject":"Delegate/d-42"})"
                   "\n").status == 202);
  CHECK(e.items("/v1/queue").empty());
  REQUIRE(e.advance("PT5M").status == 200);
  CHECK(e.items("/v1/log").empty());
  auto instances = e.get("/v1/entities/Delegate/d-42").body.at("instances").as_array();
  CHECK(instances.at(0).at("state") == "cancelled");
  const auto steps = transitions(instances.at(0));
  REQUIRE(steps.size() == 3);
  CHECK(steps[1] == "scheduled/0");
  CHECK(steps[2].rfind("cancelled:", 0) == 0);
}

TEST_CASE("rules that do not hold are explained and start nothing", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  define_booking(e);
  REQUIRE(e.ingest(world() + delegate("d1", "Waiting")).status == 202);
  CHECK(e.items("/v1/queue").empty());
  auto entity = e.get("/v1/entities/Delegate/d-42").body;
  CHECK(entity.at("instances").as_array().empty());
  // The evaluation is in the entity's audit trail, with why it did not fire.
  bool explained = false;
  for (const auto& item : entity.at("history").at("items").as_array()) {
    if (item.at("type") == "herald.workflow.evaluated") {
      explained = true;
      CHECK(item.at("data").at("fired") == false);
      CHECK(item.at("data").at("trace").at(0).at("seen") == "Waiting");
      CHECK(item.at("data").at("trace").at(0).at("held") == false);
    }
  }
  CHECK(explained);
}

TEST_CASE("once per entity: a later save does not confirm again", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  define_booking(e);
  REQUIRE(e.ingest(world() + delegate("d1", "Booked")).status == 202);
  REQUIRE(e.advance("PT3M").status == 200);
  REQUIRE(e.ingest(delegate("d2", "Booked")).status == 202);
  REQUIRE(e.advance("PT3M").status == 200);
  CHECK(e.items("/v1/log").size() == 1);
  CHECK(e.get("/v1/entities/Delegate/d-42").body.at("instances").as_array().size() == 1);
}

TEST_CASE("a recipient without a usable contact gets not_sent and a manual task", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  define_booking(e);
  REQUIRE(e.ingest(world("null") + delegate("d1", "Booked")).status == 202);
  REQUIRE(e.advance("PT2M").status == 200);
  auto log = e.items("/v1/log");
  REQUIRE(log.size() == 1);
  CHECK(log[0].at("status") == "not_sent");
  CHECK(log[0].at("status_reason") == "no_contact");
  auto tasks = e.items("/v1/tasks");
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0].at("mapped_to") == "Delegate/d-42");
  CHECK(tasks[0].at("recipient") == "User/u-1");
  CHECK(tasks[0].at("reason") == "no_contact");
  CHECK(e.items("/v1/log?status=not_sent").size() == 1);
  CHECK(e.items("/v1/log?status=completed").empty());
}

TEST_CASE("a recipient link that leads nowhere opens a manual task", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  define_booking(e);
  // The delegate links to a user Herald has never heard of.
  REQUIRE(e.ingest(world() + event_line("d1", "Delegate/d-42",
                                        R"({"label":"Ghost","fields":{"Status":"Booked"},"links":{"User":"User/u-404","CourseDate":"CourseDate/cd-1"}})") +
                   "\n").status == 202);
  REQUIRE(e.advance("PT2M").status == 200);
  CHECK(e.items("/v1/log").empty());
  auto tasks = e.items("/v1/tasks");
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0].at("reason") == "no_contact");
  auto inst = e.get("/v1/entities/Delegate/d-42").body.at("instances").at(0);
  CHECK(inst.at("state") == "not_sent");
  CHECK(inst.at("reason") == "no_contact");
}

TEST_CASE("a merge field without a value errors the instance and names the field", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  REQUIRE(e.put("/v1/templates/booking-confirmation",
                R"({"channel":"email","subject":"Hi @@User.Nickname","text":"x"})").status == 200);
  REQUIRE(e.put("/v1/workflows/booking-confirmation", booking_workflow).status == 200);
  REQUIRE(e.ingest(world() + delegate("d1", "Booked")).status == 202);
  REQUIRE(e.advance("PT2M").status == 200);
  CHECK(e.items("/v1/log").empty());
  auto inst = e.get("/v1/entities/Delegate/d-42").body.at("instances").at(0);
  CHECK(inst.at("state") == "errored");
  CHECK(std::string(inst.at("reason").as_string()).find("@@User.Nickname") != std::string::npos);
  // Listed among the workflow errors, until fixed and run again.
  auto errors = e.items("/v1/workflow-errors");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].at("id") == inst.at("id"));
  CHECK(e.items("/v1/workflow-errors?workflow=other").empty());
  REQUIRE(e.put("/v1/templates/booking-confirmation", R"({"channel":"email","subject":"Hi @@User.FirstName","text":"x"})")
              .status == 200);
  CHECK(transitions(inst) == std::vector<std::string>{"created", "scheduled/0", "fired/0",
                                                       "errored/0:" + std::string(inst.at("reason").as_string())});
  REQUIRE(e.call("POST", "/v1/instances/" + std::string(inst.at("id").as_string()) + "/execute").status == 201);
  CHECK(e.items("/v1/workflow-errors").empty());
  // Run again by an operator: on its timeline after the error.
  const auto steps = transitions(e.get("/v1/entities/Delegate/d-42").body.at("instances").at(0));
  REQUIRE(steps.size() == 7);
  CHECK(std::vector<std::string>(steps.begin() + 4, steps.end()) ==
        std::vector<std::string>{"fired/0:executed by anonymous", "rendered/0", "dispatched/0"});
}

TEST_CASE("an instance errored in its first record is listed until run again", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  REQUIRE(e.put("/v1/templates/booking-confirmation",
                R"({"channel":"email","subject":"Hi @@User.Nickname","text":"x"})").status == 200);
  REQUIRE(e.put("/v1/workflows/booking-confirmation", booking_workflow_due_at_once()).status == 200);
  REQUIRE(e.ingest(world() + delegate("d1", "Booked")).status == 202);
  // Created, fired and errored in one record.
  auto errors = e.items("/v1/workflow-errors");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].at("state") == "errored");
  REQUIRE(e.put("/v1/templates/booking-confirmation", R"({"channel":"email","subject":"Hi @@User.FirstName","text":"x"})")
              .status == 200);
  REQUIRE(e.call("POST", "/v1/instances/" + std::string(errors[0].at("id").as_string()) + "/execute").status == 201);
  CHECK(e.items("/v1/workflow-errors").empty());
  CHECK(e.items("/v1/log").size() == 1);
  CHECK(e.get("/v1/entities/Delegate/d-42").body.at("instances").as_array().size() == 1);
}

TEST_CASE("pending timers survive a kill and fire once after restart", "[system][engine]") {
  herald::test::temp_dir dir;
  {
    engine_client e(dir.sub("data"));
    define_booking(e);
    REQUIRE(e.ingest(world() + delegate("d1", "Booked")).status == 202);
    REQUIRE(e.items("/v1/queue").size() == 1);
    e.process().kill_with(SIGKILL);
    e.process().wait();
  }
  engine_client e(dir.sub("data"));
  REQUIRE(e.items("/v1/queue").size() == 1);
  REQUIRE(e.advance("PT3M").status == 200);
  REQUIRE(e.advance("PT3M").status == 200);
  auto log = e.items("/v1/log");
  REQUIRE(log.size() == 1);
  CHECK(log[0].at("status") == "delivered");
  CHECK(e.items("/v1/queue").empty());
}

TEST_CASE("business-window actions wait for the next business day's sending time", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  REQUIRE(e.call("POST", "/v1/admin/time", R"({"set":"2027-01-08T17:00:00Z"})").status == 200);  // a Friday
  REQUIRE(e.put("/v1/templates/booking-confirmation", booking_template).status == 200);
  std::string workflow = booking_workflow;
  workflow.replace(workflow.find(R"("delay": "PT2M")"), 15, R"("schedule": "business_window")");
  REQUIRE(e.put("/v1/workflows/booking-confirmation", workflow).status == 200);
  REQUIRE(e.ingest(world() + delegate("d1", "Booked")).status == 202);
  auto queue = e.items("/v1/queue");
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].at("due") == "2027-01-11T08:30:00.000Z");  // Monday 08:30 London (GMT)
}

TEST_CASE("definitions are versioned and bad ones are refused naming the member", "[system][engine][definitions]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  auto missing = e.put("/v1/workflows/booking-confirmation", booking_workflow);
  CHECK(missing.status == 400);
  CHECK(missing.body.at("error").at("field") == "actions[0].template");
  define_booking(e);
  auto v2 = e.put("/v1/templates/booking-confirmation", R"({"channel":"email","subject":"S","text":"T"})");
  CHECK(v2.body.at("version") == 2);
  CHECK(e.get("/v1/templates/booking-confirmation").body.at("version") == 2);
  CHECK(e.get("/v1/templates/booking-confirmation?version=1").body.at("body").at("subject") ==
        "Booking confirmed: @@CourseDate.Course.Name");
  CHECK(e.items("/v1/workflows").size() == 1);
  struct bad_case {
    std::string body;
    const char* field;
  };
  std::string bad_duration = booking_workflow;
  bad_duration.replace(bad_duration.find("PT2M"), 4, "2min");
  std::string bad_op = booking_workflow;
  bad_op.replace(bad_op.find(R"("op": "in")"), 10, R"("op": "like")");
  for (const auto& c : {bad_case{bad_duration, "actions[0].delay"}, bad_case{bad_op, "rules[0].op"},
                        bad_case{"{", ""}}) {
    auto r = e.put("/v1/workflows/other", c.body);
    CHECK(r.status == 400);
    if (*c.field) CHECK(r.body.at("error").at("field") == c.field);
  }
  CHECK(e.get("/v1/workflows/other").status == 404);
  CHECK(e.call("DELETE", "/v1/templates/booking-confirmation").status == 409);  // in use
  CHECK(e.call("DELETE", "/v1/workflows/booking-confirmation").status == 200);
  CHECK(e.call("DELETE", "/v1/templates/booking-confirmation").status == 200);
  CHECK(e.get("/v1/templates/booking-confirmation").status == 404);
  CHECK(e.put("/v1/workflows/bad%2Fid", booking_workflow).status == 400);
}

TEST_CASE("the log filters and pages newest first", "[system][engine][queries]") {
  herald::test::temp_dir dir;
  herald::test::write_file(dir.path() / "config.json", R"({"providers": {"sandbox": {"failure_ratio": 0.5}}})");
  engine_client e(dir.sub("data"), {"--time-skipping", "--config", dir.sub("config.json")});
  define_booking(e);
  std::string events = world();
  for (int i = 0; i < 12; ++i) {
    events += event_line("user-" + std::to_string(i), "User/u-" + std::to_string(100 + i),
                         R"({"label":"Person )" + std::to_string(i) + R"(","fields":{"FirstName":"P)" +
                             std::to_string(i) + R"("},"contact":{"email":"p)" + std::to_string(i) + R"(@example.com"}})",
                         "user.saved") + "\n";
    events += event_line("delegate-" + std::to_string(i), "Delegate/d-" + std::to_string(i),
                         R"({"label":"Delegate )" + std::to_string(i) + R"(","fields":{"Status":"Booked"},"links":{"User":"User/u-)" +
                             std::to_string(100 + i) + R"(","CourseDate":"CourseDate/cd-1"}})") + "\n";
  }
  REQUIRE(e.ingest(events).status == 202);
  REQUIRE(e.advance("PT2M").status == 200);
  auto failed = e.items("/v1/log?status=failed&limit=1000");
  auto completed = e.items("/v1/log?status=completed&limit=1000");
  CHECK(failed.size() + completed.size() == 12);
  CHECK(!failed.empty());  // a failure ratio of one half over twelve sends
  for (const auto& f : failed) CHECK(f.at("status") == "bounced");
  // A bounce with no channel left in the action is followed by a manual
  // task: a second attempt of the same communication.
  const std::size_t attempts = 12 + failed.size();
  REQUIRE(e.items("/v1/log?limit=1000").size() == attempts);
  CHECK(e.items("/v1/log?status=task_open&limit=1000").size() == failed.size());
  CHECK(e.items("/v1/tasks?limit=1000").size() == failed.size());

  // Pages of 5 follow the cursor to the end, newest first, each attempt once.
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = e.get("/v1/log?limit=5" + (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE(r.status == 200);
    for (const auto& item : r.body.at("items").as_array()) seen.emplace_back(item.at("id").as_string());
    if (r.body.at("next_cursor").is_null()) break;
    cursor = std::string(r.body.at("next_cursor").as_string());
  }
  CHECK(seen.size() == attempts);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == attempts);

  const bool d3_bounced = std::any_of(failed.begin(), failed.end(),
                                      [](const json::value& f) { return f.at("mapped_to") == "Delegate/d-3"; });
  CHECK(e.items("/v1/log?q=p3%40example.com").size() == (d3_bounced ? 2u : 1u));
  CHECK(e.items("/v1/log?mapped_to=Delegate/d-3").size() == (d3_bounced ? 2u : 1u));
  CHECK(e.items("/v1/log?channel=sms").empty());
  // Communications show their latest attempt: the task, not the bounce.
  CHECK(e.items("/v1/communications?limit=1000").size() == 12);
  CHECK(e.items("/v1/communications?status=failed&limit=1000").empty());
  CHECK(e.items("/v1/communications?status=task_open&limit=1000").size() == failed.size());
  CHECK(e.items("/v1/log?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z").empty());
  CHECK(e.get("/v1/log?status=lost").body.at("error").at("field") == "status");
  CHECK(e.get("/v1/log?from=yesterday").body.at("error").at("field") == "from");
  CHECK(e.get("/v1/log?limit=0").status == 400);
  CHECK(e.get("/v1/log?cursor=zz").status == 400);
  CHECK(e.get("/v1/log/nope").status == 404);
  CHECK(e.get("/v1/instances/nope").status == 404);
}

TEST_CASE("time skipping is off unless asked for", "[system][engine]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"), {});
  auto r = e.call("POST", "/v1/admin/time", R"({"advance":"PT1M"})");
  CHECK(r.status == 404);
  CHECK(std::string(r.body.at("error").at("message").as_string()).find("--time-skipping") != std::string::npos);
  engine_client skipping(dir.sub("data2"));
  CHECK(skipping.call("POST", "/v1/admin/time", R"({"advance":"-PT1M"})").status == 400);
  CHECK(skipping.call("POST", "/v1/admin/time", R"({"set":"2000-01-01T00:00:00Z"})").status == 400);
  CHECK(skipping.call("POST", "/v1/admin/time", R"({"wait":"PT1M"})").status == 400);
}

TEST_CASE("a date-relative trigger waits for 14 days before the start and follows date changes",
          "[system][engine][dates]") {
  herald::test::temp_dir dir;
  herald::test::write_file(dir.path() / "config.json", R"({"roles": {"administrators": ["User/u-admin"]}})");
  engine_client e(dir.sub("data"), {"--time-skipping", "--config", dir.sub("config.json")});
  REQUIRE(e.call("POST", "/v1/admin/time", R"({"set":"2027-11-01T00:00:00Z"})").status == 200);
  REQUIRE(e.put("/v1/templates/low-viability", R"({"channel":"email","subject":"Low viability: @@label",
      "text":"@@label starts on @@StartDate with @@Booked booked."})").status == 200);
  REQUIRE(e.put("/v1/workflows/low-viability", R"({"title":"Low course viability","module":"CourseDate",
      "trigger":{"date":"StartDate","offset":"-P14D","at":"08:30"},
      "rules":[{"field":"Viability","op":"ne","value":"Good"}],
      "actions":[{"kind":"send","template":"low-viability","to":["role:administrators"],"category":"Course"}]})").status == 200);
  auto course_date = [](const std::string& id, const std::string& start, const std::string& viability) {
    return event_line(id, "CourseDate/cd-9",
                      R"({"label":"Fire safety","fields":{"StartDate":")" + start + R"(","Viability":")" + viability +
                          R"(","Booked":3}})", "coursedate.saved") + "\n";
  };
  REQUIRE(e.ingest(event_line("admin", "User/u-admin", R"({"label":"Admin","contact":{"email":"admin@example.com"}})",
                              "user.saved") + "\n" + course_date("cd1", "2027-12-01", "Poor")).status == 202);
  auto queue = e.items("/v1/queue");
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].at("due") == "2027-11-17T08:30:00.000Z");  // 08:30 GMT in London
  CHECK(queue[0].at("recipients") == json::array{"User/u-admin"});

  // The course moves: the wait moves with it.
  REQUIRE(e.ingest(course_date("cd2", "2027-12-15", "Poor")).status == 202);
  queue = e.items("/v1/queue");
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].at("due") == "2027-12-01T08:30:00.000Z");
  REQUIRE(e.call("POST", "/v1/admin/time", R"({"set":"2027-11-20T00:00:00Z"})").status == 200);
  CHECK(e.items("/v1/log").empty());  // the old date's send was cancelled
  REQUIRE(e.call("POST", "/v1/admin/time", R"({"set":"2027-12-01T09:00:00Z"})").status == 200);
  auto log = e.items("/v1/log");
  REQUIRE(log.size() == 1);
  CHECK(log[0].at("recipient").at("key") == "User/u-admin");
  CHECK(log[0].at("subject") == "Low viability: Fire safety");
  auto instances = e.get("/v1/entities/CourseDate/cd-9").body.at("instances").as_array();
  REQUIRE(instances.size() == 2);
  std::set<std::string> states;
  for (const auto& i : instances) states.insert(std::string(i.at("state").as_string()));
  CHECK(states == std::set<std::string>{"cancelled", "dispatched"});
}

TEST_CASE("a date-relative send whose rules fail at the due time is not sent", "[system][engine][dates]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  REQUIRE(e.call("POST", "/v1/admin/time", R"({"set":"2027-11-01T00:00:00Z"})").status == 200);
  REQUIRE(e.put("/v1/templates/overdue", R"({"channel":"email","subject":"Invoice @@label is overdue","text":"Please pay."})").status == 200);
  REQUIRE(e.put("/v1/workflows/invoice-overdue", R"({"title":"Invoice overdue","module":"Invoice",
      "trigger":{"date":"DueDate","offset":"P1D"},
      "rules":[{"field":"Paid","op":"eq","value":false}],
      "actions":[{"kind":"send","template":"overdue","to":["Payer"],"category":"Finance"}]})").status == 200);
  auto invoice = [](const std::string& id, const std::string& key, bool paid) {
    return event_line(id, key,
                      std::string(R"({"label":"INV-1","fields":{"DueDate":"2027-11-10","Paid":)") + (paid ? "true" : "false") +
                          R"(},"links":{"Payer":"User/u-1"}})", "invoice.saved") + "\n";
  };
  REQUIRE(e.ingest(world() + invoice("i1", "Invoice/inv-1", false) + invoice("i2", "Invoice/inv-2", false)).status == 202);
  auto queue = e.items("/v1/queue");
  REQUIRE(queue.size() == 2);
  CHECK(queue[0].at("due") == "2027-11-11T08:30:00.000Z");  // the day after, at the sending time
  REQUIRE(e.ingest(invoice("i3", "Invoice/inv-1", true)).status == 202);  // inv-1 paid meanwhile
  REQUIRE(e.call("POST", "/v1/admin/time", R"({"set":"2027-11-12T00:00:00Z"})").status == 200);
  auto log = e.items("/v1/log");
  REQUIRE(log.size() == 1);
  CHECK(log[0].at("mapped_to") == "Invoice/inv-2");
  auto paid = e.get("/v1/entities/Invoice/inv-1").body.at("instances").at(0);
  CHECK(paid.at("state") == "not_sent");
  CHECK(paid.at("reason") == "rules_no_longer_match");
}

TEST_CASE("a reverse link reaches every delegate of a course date, each with its own communication",
          "[system][engine][links]") {
  herald::test::temp_dir dir;
  engine_client e(dir.sub("data"));
  REQUIRE(e.put("/v1/templates/certificate", R"({"channel":"email","subject":"Your certificate for @@CourseDate.Course.Name",
      "text":"Well done, @@User.FirstName.","attachments":[{"name":"certificate-@@Id.txt","body":"Certificate: @@User.FirstName"}]})").status == 200);
  REQUIRE(e.put("/v1/workflows/certificate", R"({"title":"Delegate certificate","module":"CourseDate",
      "trigger":{"on":"coursedate.saved"},"rules":[{"field":"Status","op":"changed_to","value":"Completed"}],
      "actions":[{"kind":"send","template":"certificate","to":["Delegate<-CourseDate.User"],"category":"Course"}]})").status == 200);
  std::string events = world();
  for (int i = 1; i <= 3; ++i) {
    const std::string n = std::to_string(i);
    events += event_line("user-" + n, "User/u-10" + n,
                         R"({"label":"Person )" + n + R"(","fields":{"FirstName":"P)" + n + R"("},"contact":{"email":"p)" + n +
                             R"(@example.com"}})", "user.saved") + "\n";
    events += event_line("delegate-" + n, "Delegate/d-" + n,
                         R"({"label":"Delegate )" + n + R"(","fields":{"Status":"Attended"},"links":{"User":"User/u-10)" + n +
                             R"(","CourseDate":"CourseDate/cd-1"}})") + "\n";
  }
  // Delegate 3 moves to another course date before the first one completes.
  events += event_line("delegate-3b", "Delegate/d-3",
                       R"({"label":"Delegate 3","fields":{"Status":"Attended"},"links":{"User":"User/u-103","CourseDate":"CourseDate/cd-2"}})") + "\n";
  events += event_line("done", "CourseDate/cd-1",
                       R"({"label":"First aid, 1 Dec","fields":{"Status":"Completed","StartDate":"2027-12-01"},"links":{"Course":"Course/c-1"}})",
                       "coursedate.saved") + "\n";
  REQUIRE(e.ingest(events).status == 202);
  REQUIRE(e.advance("PT1M").status == 200);
  auto log = e.items("/v1/log");
  REQUIRE(log.size() == 2);
  std::set<std::string> mapped, recipients;
  for (const auto& a : log) {
    mapped.insert(std::string(a.at("mapped_to").as_string()));
    recipients.insert(std::string(a.at("recipient").at("key").as_string()));
    CHECK(a.at("subject") == "Your certificate for First aid");
  }
  CHECK(mapped == std::set<std::string>{"Delegate/d-1", "Delegate/d-2"});
  CHECK(recipients == std::set<std::string>{"User/u-101", "User/u-102"});
  CHECK(e.items("/v1/communications").size() == 2);
  auto detail = e.get("/v1/log/" + std::string(log[0].at("id").as_string())).body;
  const std::string id = log[0].at("mapped_to") == "Delegate/d-1" ? "d-1" : "d-2";
  CHECK(detail.at("content").at("attachments").at(0).at("name") == json::value("certificate-" + id + ".txt"));
  CHECK(e.get("/v1/entities/Delegate/d-1").body.at("communications").as_array().size() == 1);
}

TEST_CASE("events acknowledged just before a kill still run their workflows, once", "[system][engine][crash]") {
  herald::test::temp_dir dir;
  constexpr int delegates = 300;
  std::string events = world();
  for (int i = 0; i < delegates; ++i) {
    events += event_line("delegate-" + std::to_string(i), "Delegate/d-" + std::to_string(i),
                         R"({"label":"D","fields":{"Status":"Booked"},"links":{"User":"User/u-1","CourseDate":"CourseDate/cd-1"}})") +
              "\n";
  }
  {
    engine_client e(dir.sub("data"));
    define_booking(e);
    // Posted without settling, then killed at once: the entities cannot all
    // have handled their events yet.
    REQUIRE(e.call("POST", "/v1/events", events, "application/x-ndjson").status == 202);
    e.process().kill_with(SIGKILL);
    e.process().wait();
  }
  engine_client e(dir.sub("data"));
  REQUIRE(e.settle().status == 200);
  CHECK(e.items("/v1/queue?limit=1000").size() == delegates);
  REQUIRE(e.advance("PT3M").status == 200);
  auto log = e.items("/v1/log?limit=1000");
  CHECK(log.size() == delegates);
  std::set<std::string> mapped;
  for (const auto& a : log) mapped.insert(std::string(a.at("mapped_to").as_string()));
  CHECK(mapped.size() == delegates);  // one each, none twice
}
