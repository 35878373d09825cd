#pragma once
// Plain message values exchanged with entity actors, with their `inspect`
// overloads (CAF 0.17 style).

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace herald::actors {

// One durable event about the entity, as the router hands it over.
struct entity_update {
  std::uint64_t seq = 0;
  std::string type;
  bool carries_record = false;
  bool deletes = false;
  std::string data_json;  // the entity's full record when carries_record
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entity_update& x) {
  return f(caf::meta::type_name("herald::entity_update"), x.seq, x.type, x.carries_record,
           x.deletes, x.data_json);
}

// What an entity actor holds: its snapshot and what the last record changed.
struct entity_view {
  std::string key;
  bool exists = false;
  bool deleted = false;
  std::uint64_t last_seq = 0;
  std::string record_json;
  std::vector<std::string> changed_fields;
  bool restored = false;          // the state was loaded from storage at spawn
  std::uint64_t applied = 0;      // updates applied since spawn
  // Instance, communication and attempt views the actor keeps in memory;
  // once idle it keeps only instances with an action waiting.
  std::uint64_t views_held = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entity_view& x) {
  return f(caf::meta::type_name("herald::entity_view"), x.key, x.exists, x.deleted, x.last_seq,
           x.record_json, x.changed_fields, x.restored, x.applied, x.views_held);
}

// An operator's request on something an entity owns (SPEC §6): resend a
// communication, execute an instance again, log a manual interaction.
struct operation {
  std::string kind;       // "resend" | "execute" | "log" | "send" | "redispatch" | "reconcile"
  std::string target;     // the communication id, instance id, or "" (log)
  std::string caller;     // the API key's name, for the record
  std::string body_json;  // the request's details ("log": the interaction)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, operation& x) {
  return f(caf::meta::type_name("herald::operation"), x.kind, x.target, x.caller, x.body_json);
}

// Its answer: the new attempts, or why not (an errc name, a message, a field).
struct operation_result {
  bool ok = false;
  std::string code;     // errc name when !ok: not_found, invalid_argument, ...
  std::string message;
  std::string field;
  std::vector<std::string> attempts;  // the attempts made
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, operation_result& x) {
  return f(caf::meta::type_name("herald::operation_result"), x.ok, x.code, x.message, x.field, x.attempts);
}

}  // namespace herald::actors
