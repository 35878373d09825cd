#pragma once
// Communications, attempts and manual tasks as the log and the API show
// them (SPEC §1, §6). A communication is one topic for one mapped-to entity
// and one recipient; each attempt (first send, fallback hop, resend,
// re-execution) is immutable content plus a status timeline.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/message_template.hpp"
#include "domain/status.hpp"
#include "domain/text_sink.hpp"

namespace herald::domain {

struct recipient_info {
  std::string key;  // the recipient entity, "User/u-1"
  std::string name;
  std::string email;
  std::string mobile;
  boost::json::value address;  // null when none
};

struct status_change {
  std::string status;
  std::string reason;
  std::int64_t at = 0;
};

struct attempt_view {
  std::string id;
  std::string communication_id;
  int attempt = 1;
  std::string status = "queued";
  std::string status_reason;
  std::string channel;
  std::string provider;
  std::string provider_message_id;
  std::string mapped_to;
  std::string mapped_to_label;
  std::string customer;
  recipient_info recipient;
  std::vector<recipient_info> cc;   // copied recipients (the action's cc), same message
  std::vector<recipient_info> bcc;  // blind copies
  std::string sender;
  std::string subject;
  std::string type;
  std::string category;
  std::string workflow;
  std::string template_id;
  int template_version = 0;
  std::string instance_id;
  bool automated = true;
  std::string resend_of;
  std::int64_t created_at = 0;
  std::int64_t sent_at = 0;  // 0: not sent
  std::int64_t updated_at = 0;
  std::vector<status_change> timeline;
};

struct communication_view {
  std::string id;
  std::string mapped_to;
  std::string mapped_to_label;
  std::string topic;
  recipient_info recipient;
  std::string latest_status;
  std::string latest_attempt_id;
  std::string channel;
  std::string subject;
  std::string type;
  std::string category;
  std::string workflow;
  std::string customer;
  int attempts = 0;
  std::int64_t last_attempt_at = 0;
};

struct task_view {
  std::string id;
  std::string title;
  std::string status = "task_open";  // task_open | completed
  std::string reason;                // why it exists (no_contact, a task action, ...)
  std::string mapped_to;
  std::string mapped_to_label;
  std::string recipient;
  std::string workflow;
  std::string instance_id;
  std::string outcome;
  std::int64_t created_at = 0;
  std::int64_t completed_at = 0;
};

// An attempt's and a communication's JSON, as their records carry them,
// appended to `out` (written directly: these go with every communication).
void append_json(text_sink& out, const attempt_view& a);
void append_json(std::string& out, const attempt_view& a);
// A new attempt's content snapshot: subject, template and version and, once
// rendered, html, text, attachments and merge values; then `extra`'s
// members (an e-invoice's document). What boost::json serializes for that
// object, written directly (one per communication).
std::string content_snapshot_json(std::string_view subject, std::string_view template_id,
                                  std::int64_t template_version, const rendered_message* rendered,
                                  const boost::json::object& extra);
// What the record of a provider's report on an attempt carries of it: its
// identity (id, communication_id, channel, mapped_to, created_at) and the
// members a report changes (status, status_reason, provider_message_id,
// sent_at, updated_at, timeline), about a third of the whole. The rest
// is as the attempt was created; apply_status_update puts the two together.
void append_status_json(text_sink& out, const attempt_view& a);
void append_status_json(std::string& out, const attempt_view& a);
// The attempt as created (append_json), with a status update
// (append_status_json) written over it: the attempt after that update.
void apply_status_update(boost::json::object& attempt, const boost::json::object& update);
// With `carried`, the attempt written in the same record, the members the
// communication has the same as that attempt (mapped_to, recipient,
// channel, subject, latest_status = its status, latest_attempt_id = its id,
// ...) are left out: fill_from_carried_attempt puts them back on reading.
void append_json(text_sink& out, const communication_view& c, const attempt_view* carried = nullptr);
void append_json(std::string& out, const communication_view& c, const attempt_view* carried = nullptr);
// Adds to a communication read from a record the members it left to the
// attempt carried with it; members it has are kept (records written
// before this was done have them all).
void fill_from_carried_attempt(boost::json::object& communication, const boost::json::object& carried);
boost::json::object to_json(const task_view& t);

result<recipient_info> recipient_from_json(const boost::json::value& v);
result<attempt_view> attempt_from_json(const boost::json::value& v);
result<communication_view> communication_from_json(const boost::json::value& v);
result<task_view> task_from_json(const boost::json::value& v);

// Returns the first `hex_chars` hex digits of SHA-256(text): stable across
// processes and versions, for ids derived from keys.
std::string stable_hash_hex(std::string_view text, std::size_t hex_chars);

// Returns a stable id for (mapped-to entity, topic, recipient key).
std::string communication_id(const std::string& mapped_to, const std::string& topic,
                             const std::string& recipient_key);

// Every attempt's id is its communication's id, a dot and its number
// ("c-….2"): the indexes of attempts name their communications through it.
std::string attempt_id(const std::string& communication_id, int number);
// The communication an attempt belongs to (attempt_id's inverse). Empty
// when `attempt_id` has no number.
std::string_view communication_of_attempt(std::string_view attempt_id);

}  // namespace herald::domain
