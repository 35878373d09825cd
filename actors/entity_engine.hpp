#pragma once
// The workflow logic an entity actor runs for its entity (SPEC §4, §5):
// match workflows on each event, evaluate rules with a trace, create and
// schedule instances, and when a timer fires re-check the rules, resolve
// recipients, choose a channel, render, and create attempts (or not_sent
// with a manual task). Every step returns what to persist and what to do
// once that is durable; the actor sequences those (entity_actor.cpp), so
// nothing here sends messages. Reads of other entities go to the store.
//
// Not thread-safe: one entity_engine per entity actor.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "actors/engine_context.hpp"
#include "actors/entity_messages.hpp"
#include "actors/provider_actor.hpp"
#include "domain/cloud_event.hpp"
#include "domain/communication.hpp"
#include "domain/entity_record.hpp"
#include "domain/instance.hpp"

namespace herald::actors {

struct timer_ref {
  std::int64_t due_ms = 0;
  std::string instance_id;
  int action = 0;
};

// What a step decided.
struct engine_step {
  std::vector<domain::cloud_event> events;   // append these, in order
  std::vector<timer_ref> timers;             // then tell the scheduler of these new timers
  std::vector<timer_ref> cancelled;          // ...and of these cancelled ones
  // Then hand these attempts to the provider. Made where they are kept,
  // and shared as they are with the message (dispatch_request_ptr).
  std::vector<std::shared_ptr<dispatch_request>> dispatches;

  void append(engine_step&& other);
  bool empty() const { return events.empty(); }
};

class entity_engine {
 public:
  entity_engine(std::string key, const engine_context* context);

  // Loads the entity's instances from the store, and the ids of its
  // communications (each read when a step needs it).
  status restore();

  // Drops what the store holds the same of, to keep an idle actor small:
  // the attempts written, other entities read, the communications, and the
  // instances with no action waiting. Call only when every step made is
  // durable and no provider answer is awaited; a view dropped is read back
  // from the store when it is needed again (find_instance, find_communication).
  void release_settled();
  std::size_t views_held() const {
    return work_ ? work_->instances.size() + work_->comms.size() + work_->written.size() : 0;
  }
  // Whether a view released earlier could not be read back since the last
  // call: the step just made is then incomplete and must not be stored.
  bool take_read_failure() { return std::exchange(read_failed_, false); }

  // Returns whether the engine has yet to see event `seq` of this entity.
  // (A new actor's snapshot already includes the event that spawned it; the
  // engine keeps its own position so that event still runs its workflows.)
  bool is_new(std::uint64_t seq) const { return seq > position_; }

  // The entity's source sent an event (already applied to `record`).
  // Idempotent: instance and evaluation ids derive from the event's seq.
  engine_step on_event(const entity_update& update, const domain::entity_record* record,
                       const std::vector<std::string>& changed, bool deleted);

  // A timer of `instance_id` / `action` fell due.
  engine_step on_fire(const std::string& instance_id, int action, const domain::entity_record* record,
                      bool deleted);

  // An operator's request on something this entity owns (SPEC §6).
  std::pair<engine_step, operation_result> on_operation(const operation& op, const domain::entity_record* record,
                                                        bool deleted);

  // A provider answered for an attempt this entity owns.
  engine_step on_outcome(const dispatch_request& request, const dispatch_outcome& outcome);
  // A provider reported on an attempt later (its call completed, a webhook):
  // the attempt is read from the store. Unknown attempts change nothing.
  engine_step on_status(const std::string& attempt_id, const dispatch_outcome& outcome);

 private:
  // `trace` is the rules' evaluation on `record` and `changed` in this step,
  // `rules_held` its result: an action due at once fires on it.
  engine_step make_instance(const versioned_workflow& w, std::string id, const entity_update& update,
                            const domain::entity_record& record, const std::vector<std::string>& changed,
                            std::vector<domain::rule_trace> trace, bool rules_held,
                            std::optional<std::int64_t> due);
  engine_step start_instance(const versioned_workflow& w, const entity_update& update,
                             const domain::entity_record& record, const std::vector<std::string>& changed,
                             std::vector<domain::rule_trace> trace);
  // Date-relative workflows: (re)schedules or cancels the instance that
  // waits for the entity's date.
  engine_step schedule_dates(const entity_update& update, const domain::entity_record& record);
  engine_step cancel(domain::instance_view& instance, const std::string& reason);
  // Returns the due time of a date-relative trigger, nullopt without a date.
  std::optional<std::int64_t> date_due(const domain::workflow_trigger& trigger, const domain::entity_record& record);
  // Re-checks the rules of a due action and fires it (or records why not),
  // settling the instance's state; the caller persists the instance.
  // `rules_held`: the rules were evaluated on `record` in this very step
  // (instance.trace, with this result), so they are not evaluated again.
  engine_step fire_step(domain::instance_view& instance, domain::action_state& action,
                        const domain::entity_record* record, bool deleted,
                        std::optional<bool> rules_held = std::nullopt);
  engine_step fire_action(domain::instance_view& instance, domain::action_state& action,
                          const versioned_workflow& w, const domain::entity_record& record);
  // Renders a template with merge fields as paths from the entity `key`.
  result<domain::rendered_message> render_from(const domain::message_template& t, const std::string& key,
                                               const domain::entity_record& root);
  // Sets the instance's state from its actions' (reason: the last action's).
  void settle_state(domain::instance_view& inst, const std::string& reason);
  // `created`: the instance's first record (nothing of it is stored yet).
  engine_step persist_instance(const domain::instance_view& instance, std::vector<std::pair<std::int64_t, int>> add,
                               std::vector<std::pair<std::int64_t, int>> remove, bool created = false);
  // Records `outcome` on `attempt`, which is its entry among the written
  // attempts (working_set::written, via attempt_entry): updated there in
  // place, not moved out and back.
  engine_step record_outcome(domain::attempt_view& attempt, const dispatch_outcome& outcome);
  // An attempt as this entity last recorded it, from memory or the store.
  std::optional<domain::attempt_view> attempt_state(const std::string& attempt_id);
  // The same from the store only (a read error sets read_failed_).
  std::optional<domain::attempt_view> stored_attempt(const std::string& attempt_id);
  // The attempt's entry among the written attempts, made from the store's
  // view (else from `otherwise`) when this actor holds none; nullptr when
  // there is neither.
  domain::attempt_view* attempt_entry(const std::string& attempt_id, const domain::attempt_view* otherwise = nullptr);
  // After a hard failure of a communication's latest attempt: a new attempt
  // on the next channel of the action that qualifies, or a manual task.
  engine_step fall_back(const domain::attempt_view& failed);
  // A new attempt of `comm` after `previous`: same recipient, subject and
  // references, on `channel`, queued, not yet recorded.
  domain::attempt_view successor(const domain::attempt_view& previous, const domain::communication_view& comm,
                                 const std::string& channel);
  // Records a new attempt as the communication's latest (with its content
  // snapshot and task, if any) and dispatches it when queued.
  engine_step emit_attempt(domain::attempt_view a, domain::communication_view& comm,
                           const boost::json::object& content, std::optional<domain::task_view> task);
  // A new attempt's content snapshot, serialized once: written with the
  // attempt's record and handed to its provider.
  struct content_snapshot {
    std::string json;
    bool has_attachments = false;
  };
  // Appends a new attempt's record (with its content snapshot) and its
  // task's, keeps the attempt among the written attempts, and dispatches
  // it when queued.
  void record_new_attempt(engine_step& step, domain::attempt_view&& a, const domain::communication_view& comm,
                          content_snapshot snapshot, std::optional<domain::task_view> task);
  boost::json::object content_of(const std::string& attempt_id);
  // entity_operations.cpp
  result<engine_step> resend(const operation& op, std::vector<std::string>& made);
  result<engine_step> execute(const operation& op, const domain::entity_record* record, bool deleted,
                              std::vector<std::string>& made);
  result<engine_step> log_interaction(const operation& op, std::vector<std::string>& made);
  // After a restart: hands a still-queued attempt to its provider again
  // (no call for it had started before the stop).
  result<engine_step> redispatch(const operation& op, std::vector<std::string>& made);
  // An operator settles an attempt whose outcome is unknown: "sent" or
  // "not_sent" (then it may be resent).
  result<engine_step> reconcile(const operation& op, std::vector<std::string>& made);
  result<engine_step> send_now(const operation& op, const domain::entity_record* record,
                               std::vector<std::string>& made);
  static content_snapshot snapshot_of(const boost::json::object& content);
  // `content`: a new attempt's (null: a status update). The caller keeps
  // the attempt among the written attempts (a copy, or moved there once it
  // is done with it).
  domain::cloud_event attempt_event(const domain::attempt_view& attempt, const domain::communication_view& comm,
                                    const content_snapshot* content);
  // The record of a manual task's new state.
  domain::cloud_event task_event(const domain::task_view& task);
  // Who a send reaches: each recipient with the entity its communication is
  // mapped to (this entity, or for reverse links each linking entity).
  struct target {
    std::string mapped_to;
    std::string recipient;
  };
  std::vector<target> resolve_targets(const std::vector<domain::recipient_spec>& specs,
                                      const domain::entity_record& record);
  std::vector<std::string> resolve_recipients(const std::vector<domain::recipient_spec>& specs,
                                              const domain::entity_record& record);
  domain::entity_lookup lookup();
  // The instance (communication) with this id, read back from the store if
  // it was released (release_settled); nullptr when there is none.
  domain::instance_view* find_instance(const std::string& id);
  domain::communication_view* find_communication(const std::string& id);
  bool knows_instance(const std::string& id) const {
    return (work_ && work_->instances.count(id) > 0) || released_instances_.count(id) > 0;
  }
  // The entity's key taken apart (module and id), for rules and paths:
  // parsed on a step's first use and kept in the working set.
  const domain::entity_key& parsed_key();

  // What steps work on: the views read or made since the actor was last
  // idle, and other entities' records read for a step. Made on first use;
  // release_settled lets it go once it holds nothing waiting, so an idle
  // actor (most live ones) keeps a null pointer instead of four empty maps.
  // That keeps the actor's allocation in a smaller size class.
  struct working_set {
    std::map<std::string, domain::instance_view> instances;  // scheduled ones stay while idle
    std::map<std::string, domain::communication_view> comms;
    std::map<std::string, domain::attempt_view> written;  // attempts this actor recorded, newest state
    std::map<std::string, std::optional<domain::entity_record>> cache;  // other entities, per step
    std::optional<domain::entity_key> key;  // parsed_key
  };
  working_set& work() {
    if (!work_) work_ = std::make_unique<working_set>();
    return *work_;
  }
  // Forgets other entities' records read for the previous step.
  void clear_cache() {
    if (work_) work_->cache.clear();
  }

  std::string key_;
  const engine_context* ctx_;
  std::unique_ptr<working_set> work_;
  std::set<std::string> released_instances_;  // settled; their views are in the store only
  std::set<std::string> started_;  // workflows with an instance (once_per_entity)
  std::uint64_t position_ = 0;     // newest entity event the engine has handled
  std::set<std::string> released_comms_;  // their views are in the store only
  bool read_failed_ = false;              // see take_read_failure
};

}  // namespace herald::actors
