#include "domain/entity_path.hpp"

#include <cctype>

#include <boost/json.hpp>

namespace json = boost::json;

namespace herald::domain {

bool is_valid_path(std::string_view path) {
  if (path.empty()) {
    return false;
  }
  bool segment_start = true;
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.') {
      if (segment_start) return false;
      segment_start = true;
    } else if (segment_start) {
      if (!(std::isalpha(u) || c == '_')) return false;
      segment_start = false;
    } else if (!(std::isalnum(u) || c == '_' || c == '-')) {
      return false;
    }
  }
  return !segment_start;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto dot = path.find('.', start);
    if (dot == std::string_view::npos) dot = path.size();
    out.emplace_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

path_value resolve_path(const entity_key& root_key, const entity_record& root,
                        std::string_view path, const entity_lookup& lookup) {
  // Walks the segments in place: a template renders a few paths per
  // message, and splitting each into strings cost more than the walk.
  path_value out;
  const entity_record* entity = &root;
  const std::string* linked_key = nullptr;  // the key of `entity` once a link was followed
  const json::value* inside = nullptr;      // set once the walk descends into a JSON object
  std::size_t start = 0;                    // where the current segment starts
  // The segment from `at` to the next '.' (or the end), and where it ends.
  auto segment_at = [&](std::size_t at) {
    const std::size_t dot = path.find('.', at);
    return dot == std::string_view::npos ? path.size() : dot;
  };
  auto missing_through = [&](std::size_t end) {
    out.found = false;
    out.missing = std::string(path.substr(0, end));  // the segments walked, as written
    return out;
  };
  while (start <= path.size()) {
    const std::size_t end = segment_at(start);
    const std::string_view seg = path.substr(start, end - start);
    const bool last = end == path.size();
    if (inside) {
      const json::value* next = inside->is_object() ? inside->get_object().if_contains(seg) : nullptr;
      if (!next) return missing_through(end);
      if (last) {
        out.found = !next->is_null();
        out.value = *next;
        if (!out.found) out.missing = std::string(path);
        return out;
      }
      inside = next;
      start = end + 1;
      continue;
    }
    if (const json::value* field = entity->fields.if_contains(seg)) {
      if (last) {
        out.found = !field->is_null();
        out.value = *field;
        if (!out.found) out.missing = std::string(path);
        return out;
      }
      if (!field->is_object()) return missing_through(end);
      inside = field;
      start = end + 1;
      continue;
    }
    if (auto link = entity->links.find(std::string(seg)); link != entity->links.end()) {
      if (last) {
        out.found = true;
        out.value = link->second;
        out.entity = link->second;
        return out;
      }
      const entity_record* next = lookup ? lookup(link->second) : nullptr;
      if (!next) return missing_through(end);
      linked_key = &link->second;
      entity = next;
      start = end + 1;
      continue;
    }
    if (seg == "contact") {
      if (last) {
        out.found = !entity->contact.empty();
        out.value = entity->contact;
        return out;
      }
      const std::size_t member_end = segment_at(end + 1);
      const json::value* v = entity->contact.if_contains(path.substr(end + 1, member_end - end - 1));
      if (!v || v->is_null()) return missing_through(member_end);
      if (member_end == path.size()) {
        out.found = true;
        out.value = *v;
        return out;
      }
      inside = v;
      start = member_end + 1;
      continue;
    }
    if (last && seg == "label") {
      out.found = !entity->label.empty();
      out.value = entity->label;
      if (!out.found) out.missing = std::string(path);
      return out;
    }
    if (last && seg == "Id") {
      out.found = true;
      out.value = linked_key ? linked_key->substr(linked_key->find('/') + 1) : root_key.id;
      return out;
    }
    return missing_through(end);
  }
  // Not reached: the last segment returns. An empty path is one empty
  // segment, which no field, link or name matches.
  out.missing = std::string(path);
  return out;
}

}  // namespace herald::domain
