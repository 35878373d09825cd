#pragma once
// A workflow instance: one run of a workflow for one entity occurrence
// (SPEC §1), a state machine persisted as herald.instance.updated events:
//
//   created -> scheduled(due) -> fired -> rendered -> dispatched
//                                      -> not_sent(reason) | errored(reason)
//   scheduled -> cancelled (entity deleted, date changed)
//
// Each action of the workflow has its own state and due time; the instance
// is `dispatched` when every action has been carried out or settled. The
// timeline keeps every transition as it happened, with its time: an action
// due at once goes from created to dispatched in one step (one record), and
// its timeline still shows that it fired and what was rendered. The traces
// record why it was created (rules at trigger time) and why it went on or
// stopped when it fired (rules re-checked).

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/rule.hpp"
#include "domain/status.hpp"
#include "domain/text_sink.hpp"

namespace herald::domain {

struct action_state {
  int index = 0;
  std::string state = "scheduled";  // scheduled | dispatched | not_sent | errored | cancelled
  std::string reason;
  std::int64_t due_ms = 0;
  std::vector<std::string> recipients;  // as resolved when scheduled (for the queue)
  std::vector<std::string> attempts;    // attempt ids created when it fired
};

// One transition of the state machine: the instance's own (`action` -1:
// created, cancelled) or one action's (scheduled with its due time, fired,
// rendered, then dispatched, not_sent or errored with the reason).
struct instance_transition {
  std::string state;
  int action = -1;
  std::string reason;
  std::int64_t at = 0;
  std::int64_t due_ms = 0;  // scheduled: when it falls due; 0 otherwise
};

struct instance_view {
  std::string id;
  std::string workflow;
  int workflow_version = 0;
  std::string entity;
  std::string entity_label;
  std::uint64_t trigger_seq = 0;
  std::string trigger;  // the event type, or "date:Path"
  std::string state = "created";
  std::string reason;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::vector<std::string> changed;    // fields the triggering event changed (for re-checks)
  std::vector<rule_trace> trace;       // at trigger time
  std::vector<rule_trace> fire_trace;  // re-checked when a timer fired
  std::vector<action_state> actions;
  std::vector<instance_transition> timeline;  // oldest first
};

// Appends an action's transitions once it has fired: `fired` (`why`: what
// fired it when not its timer, e.g. an operator), `rendered` when the action
// sends messages and dispatched them, then where it ended (dispatched,
// not_sent or errored, with its reason).
void record_fired(instance_view& i, const action_state& action, bool sends, std::string why, std::int64_t at);

boost::json::object to_json(const instance_view& i);
// Appends what json::serialize(to_json(i)) writes, without building the
// tree: an instance record is written for every workflow that fires.
void append_json(text_sink& out, const instance_view& i);
void append_json(std::string& out, const instance_view& i);
result<instance_view> instance_from_json(const boost::json::value& v);

boost::json::array to_json(const std::vector<rule_trace>& trace);
std::vector<rule_trace> trace_from_json(const boost::json::value& v);

}  // namespace herald::domain
