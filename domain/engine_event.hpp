#pragma once
// The events Herald writes itself (event_kind::engine_event), as
// CloudEvents: source "herald", a type below, subject the entity concerned,
// data the new state of the object (state-based: a projection is a plain
// put, a replay needs nothing else). Ids make retries idempotent: the same
// change has the same id.
//
//   herald.definition.put      {"kind": "workflow"|"template", "id", "version", "body"}
//   herald.definition.deleted  {"kind", "id", "version"}
//   herald.workflow.evaluated  {"workflow", "version", "trigger_seq", "fired": false, "trace"}
//   herald.instance.updated    {"instance": view, "timers_add": [timer], "timers_remove": [timer],
//                               "created": bool   whether it is the instance's first record
//                                                 (absent in records written before it was added)}
//                               timer := {"due": ms, "action": n}
//                               The record of a step that fired the instance also carries the
//                               first attempt the step made: its "attempt", "communication",
//                               and "content" members, as below
//                               (one log record and history entry less per communication).
//   herald.attempt.updated     {"attempt": view,
//                               "communication": view, "content": {...}   only when the attempt is created}
//                               (records written before session 21 may also carry
//                               "communication_previous_at": ms, which nothing reads now)
//                              or, for a provider's report on it,
//                              {"attempt": its identity and what the report changed, "status_only": true}
//                               (communication.hpp, append_status_json): the view is the attempt as
//                               the record with its content has it, with these members written over.
//                               Records written before this was done carry the whole view.
//                               A status update changes no communication but its latest
//                               status, which is its latest attempt's: the view is read so.
//                               The communication leaves out the members it has the same
//                               as the attempt beside it (mapped_to, recipient, channel,
//                               subject, latest_status, latest_attempt_id, ...); the view
//                               is read with them put back (communication.hpp).
//   herald.task.updated        {"task": view}
//   herald.links.updated       {"links": {"LinkName": "Module/Id", ...}}   (subject: the linking entity)

#include <string>
#include <vector>

#include "domain/cloud_event.hpp"

namespace herald::domain::engine {

inline constexpr const char* source = "herald";
inline constexpr const char* definition_put = "herald.definition.put";
inline constexpr const char* definition_deleted = "herald.definition.deleted";
inline constexpr const char* workflow_evaluated = "herald.workflow.evaluated";
inline constexpr const char* instance_updated = "herald.instance.updated";
inline constexpr const char* attempt_updated = "herald.attempt.updated";
inline constexpr const char* task_updated = "herald.task.updated";
inline constexpr const char* links_updated = "herald.links.updated";
// A provider's delivery event as received (webhook or callback), kept raw;
// its id derives from the provider's event id, so a redelivery is a duplicate.
inline constexpr const char* provider_event_received = "herald.provider_event.received";
// An operator's request carried out (resend, execute, log): who, on what,
// and the attempts it made — the audit trail of operations.
inline constexpr const char* operation_performed = "herald.operation.performed";
// A recipient's preferences, whole (subject: the recipient entity).
inline constexpr const char* preferences_updated = "herald.preferences.updated";

// Returns an engine event with an id of its own (next_event_id("e")), marked
// unique_id: a state change that is never written twice under one id.
cloud_event make_unique_event(const std::string& type, const std::string& subject, std::string data_json,
                              const std::string& time);

// Returns an engine event; `subject` may be empty (definitions).
// Returns an id unique across processes and restarts: "<prefix>-<start>-<n>".
std::string next_event_id(const char* prefix);

cloud_event make_event(const std::string& type, std::string id, const std::string& subject,
                       std::string data_json, const std::string& time);

// Folds, in the records of one step, each instance record that is followed
// by the record of an attempt about the same entity into one record: the
// instance's, with the attempt's members and facts added (see above). Both
// must carry their facts (engine_facts.hpp); other records are left as they are.
void carry_attempts_in_instance_records(std::vector<cloud_event>& step_records);

}  // namespace herald::domain::engine
