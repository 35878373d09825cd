#pragma once
// Paths over the entity graph (SPEC §4), as rules, merge fields and
// recipients use them: "Status", "CourseDate.Status",
// "CourseDate.Course.Name", "User.Manager", "contact.email". Each segment
// but the last is a link (followed to the linked entity), "contact", or a
// field holding an object; the last is a field, "label", "Id", a link (its
// value is the linked key) or a member of such an object.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "domain/entity_record.hpp"

namespace herald::domain {

// Returns another entity's record, or nullptr when it is unknown. Callers
// decide where records come from (the store, a test map).
using entity_lookup = std::function<const entity_record*(const std::string& key)>;

struct path_value {
  bool found = false;
  boost::json::value value;
  std::string missing;  // when not found: the path up to the segment that was missing
  // When the path ends on an entity (a link), its key; recipients use it.
  std::string entity;
};

// Returns true for a well-formed path: segments of [A-Za-z_][A-Za-z0-9_-]*
// joined by '.'.
bool is_valid_path(std::string_view path);

std::vector<std::string> split_path(std::string_view path);

path_value resolve_path(const entity_key& root_key, const entity_record& root,
                        std::string_view path, const entity_lookup& lookup);

}  // namespace herald::domain
