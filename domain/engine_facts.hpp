#pragma once
// What the store's projection reads from an instance or attempt record
// (storage/engine_projection.cpp): ids, states, times and index inputs. The
// engine that writes a record hands these over with it, so the store's
// sequencer need not parse the JSON it was just given; replay, which has
// only the record, reads the same facts from it (engine_facts_of). Tests run
// the store with HERALD_CHECK_ENGINE_FACTS=1, which compares the two for
// every record written.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

namespace herald::domain {

// herald.instance.updated
struct instance_facts {
  std::string id;
  std::string entity;
  std::string state;
  std::int64_t created_at_ms = 0;
  std::optional<bool> created;  // whether it is the instance's first record (absent in old records)
  std::vector<std::pair<std::int64_t, int>> timers_remove;  // (due ms, action), applied first
  std::vector<std::pair<std::int64_t, int>> timers_add;

  friend bool operator==(const instance_facts& a, const instance_facts& b) {
    return a.id == b.id && a.entity == b.entity && a.state == b.state && a.created_at_ms == b.created_at_ms &&
           a.created == b.created && a.timers_remove == b.timers_remove && a.timers_add == b.timers_add;
  }
};

// herald.attempt.updated
struct attempt_facts {
  std::string id;
  std::string mapped_to;
  std::string channel;
  std::string status;
  std::int64_t created_at_ms = 0;
  bool has_content = false;      // the record carries the content (the attempt is new)
  bool has_attachments = false;  // ...with attachment bodies
  std::optional<std::string> communication_id;  // the record carries the communication

  friend bool operator==(const attempt_facts& a, const attempt_facts& b) {
    return a.id == b.id && a.mapped_to == b.mapped_to && a.channel == b.channel && a.status == b.status &&
           a.created_at_ms == b.created_at_ms && a.has_content == b.has_content &&
           a.has_attachments == b.has_attachments && a.communication_id == b.communication_id;
  }
};

// An attempt record's facts, or an instance record's, which may also carry
// an attempt (engine_event.hpp); neither for other types.
struct engine_facts {
  std::optional<instance_facts> instance;
  std::optional<attempt_facts> attempt;

  friend bool operator==(const engine_facts& a, const engine_facts& b) {
    return a.instance == b.instance && a.attempt == b.attempt;
  }
};

// The facts of a record of `type` with data `data`; nullopt when the record
// has no view to project (not one of the two types, or malformed, the
// attempt it carries included).
std::optional<engine_facts> engine_facts_of(const std::string& type, const boost::json::object& data);

}  // namespace herald::domain
