#include "domain/entity_record.hpp"

#include <algorithm>
#include <set>

#include <boost/json.hpp>

namespace json = boost::json;

namespace herald::domain {
namespace {

status bad(const std::string& field, std::string message) {
  return status{errc::invalid_argument, std::move(message), "data" + (field.empty() ? "" : "." + field)};
}

template <class Map, class Fn>
void diff_keys(const Map* before, const Map& after, std::set<std::string>& out, Fn key_name) {
  for (const auto& kv : after) {
    std::string k = key_name(kv);
    if (!before) {
      out.insert(k);
      continue;
    }
    auto it = before->find(kv.first);
    if (it == before->end() || !(it->second == kv.second)) {
      out.insert(k);
    }
  }
  if (before) {
    for (const auto& kv : *before) {
      if (after.find(kv.first) == after.end()) {
        out.insert(key_name(kv));
      }
    }
  }
}

void diff_objects(const json::object* before, const json::object& after, const std::string& prefix,
                  std::set<std::string>& out) {
  for (const auto& kv : after) {
    const json::value* old = before ? before->if_contains(kv.key()) : nullptr;
    if (!old || *old != kv.value()) {
      out.insert(prefix + std::string(kv.key()));
    }
  }
  if (before) {
    for (const auto& kv : *before) {
      if (!after.contains(kv.key())) {
        out.insert(prefix + std::string(kv.key()));
      }
    }
  }
}

}  // namespace

bool is_entity_key(std::string_view subject) {
  const auto slash = subject.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= subject.size()) {
    return false;
  }
  const std::string_view module = subject.substr(0, slash);
  const std::string_view id = subject.substr(slash + 1);
  // ASCII only, as std::isalpha in the "C" locale, without its call per
  // byte: every event's subject is checked several times on its way.
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(module[0])) {
    return false;
  }
  for (char c : module) {
    if (!(letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return false;
    }
  }
  return true;
}

std::optional<entity_key> parse_entity_key(std::string_view subject) {
  if (!is_entity_key(subject)) {
    return std::nullopt;
  }
  const auto slash = subject.find('/');
  return entity_key{std::string(subject.substr(0, slash)), std::string(subject.substr(slash + 1))};
}

result<entity_record> parse_entity_record(const json::value& data) {
  if (!data.is_object()) {
    return bad("", "an entity event's data must be a JSON object with label, fields, links, "
                   "contact and contact_invalid");
  }
  entity_record rec;
  for (const auto& kv : data.get_object()) {
    const std::string key(kv.key());
    const json::value& v = kv.value();
    if (key == "label") {
      if (!v.is_string() && !v.is_null()) {
        return bad(key, "'label' must be a string");
      }
      rec.label = v.is_string() ? std::string(v.get_string()) : "";
    } else if (key == "fields") {
      if (!v.is_object()) {
        return bad(key, "'fields' must be an object of field name to value");
      }
      rec.fields = v.get_object();
    } else if (key == "links") {
      if (!v.is_object()) {
        return bad(key, "'links' must be an object of link name to entity key");
      }
      for (const auto& link : v.get_object()) {
        const std::string name(link.key());
        if (!link.value().is_string() || !parse_entity_key(link.value().get_string())) {
          return bad("links." + name, "link '" + name + "' must be an entity key 'Module/Id'");
        }
        rec.links.emplace(name, std::string(link.value().get_string()));
      }
    } else if (key == "contact") {
      if (!v.is_object()) {
        return bad(key, "'contact' must be an object");
      }
      for (const auto& c : v.get_object()) {
        const std::string name(c.key());
        if (name == "email" || name == "mobile" || name == "peppol_id" || name == "name") {
          if (!c.value().is_string() && !c.value().is_null()) {
            return bad("contact." + name, "'contact." + name + "' must be a string");
          }
        } else if (name == "address") {
          if (!c.value().is_object() && !c.value().is_string() && !c.value().is_null()) {
            return bad("contact.address", "'contact.address' must be an object or a string");
          }
        } else {
          return bad("contact." + name, "unknown contact member '" + name +
                                            "' (expected email, mobile, address, peppol_id, name)");
        }
      }
      rec.contact = v.get_object();
    } else if (key == "contact_invalid") {
      if (!v.is_array()) {
        return bad(key, "'contact_invalid' must be an array of contact member names");
      }
      for (const auto& item : v.get_array()) {
        if (!item.is_string()) {
          return bad(key, "'contact_invalid' must hold strings");
        }
        rec.contact_invalid.emplace_back(item.get_string());
      }
    } else {
      return bad(key, "unknown member '" + key +
                          "' in entity data (expected label, fields, links, contact, "
                          "contact_invalid)");
    }
  }
  return rec;
}

std::vector<std::string> changed_fields(const entity_record* before, const entity_record& after) {
  std::set<std::string> out;
  diff_objects(before ? &before->fields : nullptr, after.fields, "", out);
  diff_keys(before ? &before->links : nullptr, after.links, out,
            [](const auto& kv) { return kv.first; });
  diff_objects(before ? &before->contact : nullptr, after.contact, "contact.", out);
  if ((!before && !after.label.empty()) || (before && before->label != after.label)) {
    out.insert("label");
  }
  if ((!before && !after.contact_invalid.empty()) ||
      (before && before->contact_invalid != after.contact_invalid)) {
    out.insert("contact_invalid");
  }
  return {out.begin(), out.end()};
}

}  // namespace herald::domain

#include "domain/cloud_event.hpp"

namespace herald::domain {

entity_effect entity_effect_of(const cloud_event& event) {
  entity_effect effect;
  if (!event.subject) {
    return effect;
  }
  if (!is_entity_key(*event.subject)) {
    return effect;
  }
  effect.key = std::string_view(*event.subject);
  effect.carries_record = event.data_kind == data_form::json;
  const std::string_view suffix = ".deleted";
  effect.deletes = event.type.size() >= suffix.size() &&
                   event.type.compare(event.type.size() - suffix.size(), suffix.size(), suffix) == 0;
  return effect;
}

}  // namespace herald::domain
