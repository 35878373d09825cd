#pragma once
// Workflow definitions (SPEC §4): "if this, then that" for one module.
//
//   {"title", "module", "enabled", "once_per_entity" (default true),
//    "trigger": {"on": "delegate.saved"}
//             | {"date": "CourseDate.StartDate", "offset": "-P14D", "at": "08:30"},
//    "rules": [...rule.hpp...],
//    "actions": [{"kind": "send", "template", "to", "cc", "bcc", "delay",
//                 "channels", "category", "type", "sender", "schedule"},
//                {"kind": "task", "title", "to", "delay", "category", "type"}]}
//
// Recipients ("to", "cc", "bcc") are link paths ("User", "User.Manager"),
// reverse links ("Delegate<-CourseDate": every Delegate whose CourseDate
// link points at this entity, each the mapped-to entity of its own
// communication; "Delegate<-CourseDate.User" writes to each one's User),
// "@self", or "role:NAME" (from config).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "domain/iso_duration.hpp"
#include "domain/rule.hpp"
#include "domain/status.hpp"

namespace herald::domain {

enum class trigger_kind { on_event, date_relative };

struct workflow_trigger {
  trigger_kind kind = trigger_kind::on_event;
  std::string on;          // event type, for on_event
  std::string date_field;  // path to a date or date-time, for date_relative
  iso_duration offset;     // added to that date ("-P14D": 14 days before)
  std::optional<int> at_minutes;  // local time of day; default: the sending time
};

struct recipient_spec {
  enum class kind { path, reverse_link, self, role };
  kind type = kind::path;
  std::string path;    // path: the link path; reverse_link: the link name on `module`
  std::string module;  // reverse_link: the module whose entities link here
  std::string role;    // role: the role name
  std::string tail;    // reverse_link: a path from each linking entity ("User"), or empty

  std::string text() const;  // as written in the definition
};

enum class action_kind { send, task };
enum class send_schedule { immediate, business_window };

struct workflow_action {
  action_kind kind = action_kind::send;
  std::string template_id;  // send
  std::string title;        // task
  std::vector<recipient_spec> to, cc, bcc;
  std::optional<iso_duration> delay;
  std::vector<std::string> channels;  // fallback order
  std::string category;
  std::string type;
  std::string sender;
  send_schedule schedule = send_schedule::immediate;
};

struct workflow {
  std::string id;
  std::string title;
  std::string module;
  bool enabled = true;
  bool once_per_entity = true;
  workflow_trigger trigger;
  std::vector<condition> rules;
  std::vector<workflow_action> actions;
};

result<recipient_spec> parse_recipient(std::string_view text);

// Whether any recipient of the action is found through a reverse link
// (Delegate<-CourseDate): those are known from other entities' engine
// events, so such an action waits for the events routed before it.
bool reads_reverse_links(const workflow_action& action);

// Parses and validates a definition. `template_exists` answers whether a
// template id is defined. Errors name the member ("actions[0].template",
// "trigger.offset", "rules[1].op").
result<workflow> parse_workflow(const std::string& id, const boost::json::value& json,
                                const std::function<bool(const std::string&)>& template_exists);

// Returns true for ids usable in URLs and keys: [A-Za-z0-9_.-]{1,100}.
bool is_valid_definition_id(std::string_view id);

}  // namespace herald::domain
