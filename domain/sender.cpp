#include "domain/sender.hpp"

#include <boost/json.hpp>

namespace herald::domain {
namespace {

const entity_record* entity(const std::string& key, const entity_lookup& lookup) {
  return parse_entity_key(key) ? lookup(key) : nullptr;
}

}  // namespace

std::string mailbox_of(const entity_record& r) {
  const boost::json::value* email = r.contact.if_contains("email");
  if (!email || !email->is_string() || email->get_string().empty()) return {};
  const std::string address(email->get_string());
  return r.label.empty() ? address : r.label + " <" + address + ">";
}

resolved_sender resolve_sender(const std::string& spec, const entity_key& mapped_to_key,
                               const entity_record& mapped_to, const entity_lookup& lookup,
                               const std::map<std::string, std::vector<std::string>>& roles,
                               const std::string& configured) {
  if (spec.empty()) return {configured, ""};
  if (spec.find('@') != std::string::npos) return {spec, ""};
  auto fallback = [&](const std::string& why) { return resolved_sender{configured, "sender " + spec + ": " + why}; };
  if (spec.rfind("role:", 0) == 0) {
    auto it = roles.find(spec.substr(5));
    if (it == roles.end()) return fallback("no such role");
    for (const auto& member : it->second) {
      if (const entity_record* r = entity(member, lookup)) {
        if (auto m = mailbox_of(*r); !m.empty()) return {m, ""};
      }
    }
    return fallback("no member with an email");
  }
  if (spec.rfind("assigned:", 0) == 0) {
    auto v = resolve_path(mapped_to_key, mapped_to, spec.substr(9), lookup);
    std::string key = v.entity;
    if (key.empty() && v.found && v.value.is_array() && !v.value.get_array().empty() &&
        v.value.get_array()[0].is_string()) {
      key = std::string(v.value.get_array()[0].get_string());  // the user assigned first
    } else if (key.empty() && v.found && v.value.is_string()) {
      key = std::string(v.value.get_string());
    }
    if (key.empty()) return fallback("nobody assigned");
    const entity_record* r = entity(key, lookup);
    if (!r) return fallback(key + " is unknown");
    auto m = mailbox_of(*r);
    return m.empty() ? fallback(key + " has no email") : resolved_sender{m, ""};
  }
  const entity_record* r = entity(spec, lookup);
  if (!r) return fallback("unknown");
  auto m = mailbox_of(*r);
  return m.empty() ? fallback("no email") : resolved_sender{m, ""};
}

}  // namespace herald::domain
