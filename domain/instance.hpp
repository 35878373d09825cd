#pragma once
// A workflow instance: one run of a workflow for one entity occurrence
// (SPEC §1), a state machine persisted as herald.instance.updated events:
//
//   created -> scheduled(due) -> fired -> dispatched
//                                      -> not_sent(reason) | errored(reason)
//   scheduled -> cancelled (entity deleted)
//
// Each action of the workflow has its own state and due time; the instance
// is `dispatched` when every action has been carried out or settled. The
// traces record why it was created (rules at trigger time) and why it went
// on or stopped when it fired (rules re-checked).

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
};

boost::json::object to_json(const instance_view& i);
// Appends what json::serialize(to_json(i)) writes, without building the
// tree: an instance record is written for every workflow that fires.
void append_json(text_sink& out, const instance_view& i);
void append_json(std::string& out, const instance_view& i);
result<instance_view> instance_from_json(const boost::json::value& v);

boost::json::array to_json(const std::vector<rule_trace>& trace);
std::vector<rule_trace> trace_from_json(const boost::json::value& v);

}  // namespace herald::domain
