#include "domain/module_schema.hpp"

#include <boost/json.hpp>

#include "domain/entity_path.hpp"

namespace json = boost::json;

namespace herald::domain {
namespace {

status bad(const std::string& field, std::string message) {
  return status{errc::invalid_argument, std::move(message), field};
}

std::string listed(const module_schema& m) {
  std::string out;
  for (const auto& f : m.fields) out += (out.empty() ? "" : ", ") + f;
  for (const auto& [name, target] : m.links) out += (out.empty() ? "" : ", ") + name + " (-> " + target + ")";
  return out.empty() ? "nothing declared" : out;
}

// Segment names every entity answers to, besides its declared ones
// (entity_path.hpp): its label, its id and its contact details.
bool built_in(const std::string& segment) { return segment == "label" || segment == "Id" || segment == "contact"; }

status check_rules(const std::vector<condition>& rules, const module_schemas& modules, const std::string& module,
                   const std::string& where) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string member = where + "[" + std::to_string(i) + "]";
    const condition& c = rules[i];
    if (c.is_group) {
      if (auto st = check_rules(c.any, modules, module, member + ".any"); !st) return st;
    } else if (auto st = check_path(modules, module, c.leaf.field); !st) {
      return bad(member + ".field", st.message());
    }
  }
  return status::ok();
}

status check_recipients(const std::vector<recipient_spec>& specs, const module_schemas& modules,
                        const std::string& module, const std::string& where) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const recipient_spec& r = specs[i];
    const std::string member = where + "[" + std::to_string(i) + "]";
    status st = status::ok();
    if (r.type == recipient_spec::kind::path) {
      st = check_path(modules, module, r.path);
    } else if (r.type == recipient_spec::kind::reverse_link) {
      // Module<-Link: each `r.module` entity whose `Link` points at this one.
      auto source = modules.find(r.module);
      if (source != modules.end()) {
        auto link = source->second.links.find(r.path);
        if (link == source->second.links.end()) {
          st = status{errc::invalid_argument, r.module + " has no link '" + r.path + "' (it has: " +
                                                  listed(source->second) + ")"};
        } else if (link->second != module) {
          st = status{errc::invalid_argument, r.module + "'s link '" + r.path + "' points at " + link->second +
                                                  ", not at " + module};
        } else if (!r.tail.empty()) {
          st = check_path(modules, r.module, r.tail);
        }
      }
    }
    if (!st) return bad(member, "'" + r.text() + "': " + st.message());
  }
  return status::ok();
}

}  // namespace

result<module_schemas> parse_module_schemas(const json::value& v, const std::string& path) {
  if (!v.is_object()) return bad(path, "must be an object of modules");
  module_schemas out;
  for (const auto& [name, body] : v.get_object()) {
    const std::string at = path + "." + std::string(name);
    if (!body.is_object()) return bad(at, "must be an object with 'fields' and 'links'");
    module_schema m;
    for (const auto& [key, value] : body.get_object()) {
      const std::string member = at + "." + std::string(key);
      if (key == "fields") {
        if (!value.is_array()) return bad(member, "must be an array of field names");
        for (const auto& f : value.get_array()) {
          if (!f.is_string() || !is_valid_path(f.get_string()) || split_path(f.get_string()).size() != 1) {
            return bad(member, "must hold field names such as Status");
          }
          m.fields.emplace(f.get_string());
        }
      } else if (key == "links") {
        if (!value.is_object()) return bad(member, "must map each link name to the module it points at");
        for (const auto& [link, target] : value.get_object()) {
          if (!target.is_string() || target.get_string().empty()) {
            return bad(member + "." + std::string(link), "must name the module the link points at");
          }
          m.links.emplace(std::string(link), std::string(target.get_string()));
        }
      } else {
        return bad(member, "unknown member: a module has 'fields' and 'links'");
      }
    }
    out.emplace(std::string(name), std::move(m));
  }
  return out;
}

status check_path(const module_schemas& modules, const std::string& module, std::string_view path) {
  std::string at = module;
  const auto segments = split_path(path);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    auto m = modules.find(at);
    if (m == modules.end()) return status::ok();  // not declared: not checked
    const std::string& segment = segments[i];
    if (auto link = m->second.links.find(segment); link != m->second.links.end()) {
      at = link->second;  // followed to the linked entity
      continue;
    }
    // A field (the rest, if any, is a member of the object it holds), or
    // one every entity has.
    if (m->second.fields.count(segment) || built_in(segment)) return status::ok();
    return status{errc::invalid_argument, "unknown field path '" + std::string(path) + "': " + at +
                                              " has no field or link '" + segment + "' (it has: " +
                                              listed(m->second) + ")"};
  }
  return status::ok();
}

status check_workflow_paths(const workflow& w, const module_schemas& modules) {
  if (w.trigger.kind == trigger_kind::date_relative) {
    if (auto st = check_path(modules, w.module, w.trigger.date_field); !st) return bad("trigger.date", st.message());
  }
  if (auto st = check_rules(w.rules, modules, w.module, "rules"); !st) return st;
  for (std::size_t i = 0; i < w.actions.size(); ++i) {
    const workflow_action& a = w.actions[i];
    const std::string at = "actions[" + std::to_string(i) + "].";
    for (const auto& [name, list] : {std::pair{"to", &a.to}, std::pair{"cc", &a.cc}, std::pair{"bcc", &a.bcc}}) {
      if (auto st = check_recipients(*list, modules, w.module, at + name); !st) return st;
    }
    if (a.sender.rfind("assigned:", 0) == 0) {
      if (auto st = check_path(modules, w.module, a.sender.substr(9)); !st) return bad(at + "sender", st.message());
    }
  }
  return status::ok();
}

}  // namespace herald::domain
