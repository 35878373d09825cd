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
  path_value out;
  const auto segments = split_path(path);
  std::string key = root_key.str();
  const entity_record* entity = &root;
  const json::value* inside = nullptr;  // set once the walk descends into a JSON object
  std::string walked;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& seg = segments[i];
    const bool last = i + 1 == segments.size();
    walked += (walked.empty() ? "" : ".") + seg;
    auto missing = [&] {
      out.found = false;
      out.missing = walked;
      return out;
    };
    if (inside) {
      const json::value* next = inside->is_object() ? inside->get_object().if_contains(seg) : nullptr;
      if (!next) return missing();
      if (last) {
        out.found = !next->is_null();
        out.value = *next;
        if (!out.found) out.missing = walked;
        return out;
      }
      inside = next;
      continue;
    }
    if (const json::value* field = entity->fields.if_contains(seg)) {
      if (last) {
        out.found = !field->is_null();
        out.value = *field;
        if (!out.found) out.missing = walked;
        return out;
      }
      if (!field->is_object()) return missing();
      inside = field;
      continue;
    }
    if (auto link = entity->links.find(seg); link != entity->links.end()) {
      if (last) {
        out.found = true;
        out.value = link->second;
        out.entity = link->second;
        return out;
      }
      const entity_record* next = lookup ? lookup(link->second) : nullptr;
      if (!next) return missing();
      key = link->second;
      entity = next;
      continue;
    }
    if (seg == "contact") {
      if (last) {
        out.found = !entity->contact.empty();
        out.value = entity->contact;
        return out;
      }
      const std::string& member = segments[i + 1];
      const json::value* v = entity->contact.if_contains(member);
      walked += "." + member;
      if (!v || v->is_null()) return missing();
      if (i + 2 == segments.size()) {
        out.found = true;
        out.value = *v;
        return out;
      }
      inside = v;
      ++i;
      continue;
    }
    if (last && seg == "label") {
      out.found = !entity->label.empty();
      out.value = entity->label;
      if (!out.found) out.missing = walked;
      return out;
    }
    if (last && seg == "Id") {
      out.found = true;
      out.value = key.substr(key.find('/') + 1);
      return out;
    }
    return missing();
  }
  // A path of zero segments cannot be built by split_path; treat as missing.
  out.missing = std::string(path);
  return out;
}

}  // namespace herald::domain
