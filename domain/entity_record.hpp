#pragma once
// Entities: keys (`Module/Id`) and the record an entity event carries as its
// `data` (SPEC §3):
//   {"label": "...", "fields": {...}, "links": {"User": "User/u-1", ...},
//    "contact": {"email": "...", "mobile": "...", "address": {...},
//                "peppol_id": "..."},
//    "contact_invalid": ["email"]}
// Every member is optional; unknown members are rejected so that a typo
// ("feilds") is reported rather than silently ignored.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/status.hpp"

namespace herald::domain {

struct entity_key {
  std::string module;
  std::string id;

  std::string str() const { return module + "/" + id; }
  friend bool operator==(const entity_key& a, const entity_key& b) {
    return a.module == b.module && a.id == b.id;
  }
};

// Returns the key for "Module/Id": a module of letters, digits, '_' or '-'
// starting with a letter, then '/', then a non-empty id without control
// characters. Returns nullopt for anything else (such a subject is not an
// entity, and the event is only logged).
std::optional<entity_key> parse_entity_key(std::string_view subject);

// Whether parse_entity_key would return a key, without building it.
bool is_entity_key(std::string_view subject);

struct entity_record {
  std::string label;
  boost::json::object fields;
  std::map<std::string, std::string> links;  // link name -> entity key
  boost::json::object contact;
  std::vector<std::string> contact_invalid;
};

// Returns the record, or invalid_argument naming the field ("data.links.User").
result<entity_record> parse_entity_record(const boost::json::value& data);

// Returns the sorted names of what differs from `before` to `after`: field
// names and link names as they are ("Status", "CourseDate"), "label", and
// "contact.<member>" / "contact_invalid". With no `before` (a new entity)
// every present name counts as changed.
std::vector<std::string> changed_fields(const entity_record* before, const entity_record& after);

}  // namespace herald::domain

namespace herald::domain {

struct cloud_event;

// What an (already validated) event does to its entity, per SPEC §3.
struct entity_effect {
  // The event's subject when it is an entity key (is_entity_key): a view
  // of the event's own text, valid while the event is. Every event is
  // judged this way several times on its way, and only its text is used.
  std::optional<std::string_view> key;
  bool carries_record = false;    // `data` is the entity's full record
  bool deletes = false;           // the type ends in ".deleted"
};

entity_effect entity_effect_of(const cloud_event& event);

}  // namespace herald::domain
