#pragma once
// What the business platform's modules hold, when the config declares it
// (`modules`): each module's fields and its links with the module each
// points at. Herald takes records with whatever fields their platform
// sends, so without a declaration it cannot tell a misspelt path from a
// field no record has yet; with one, a workflow stored over the API is
// checked against it and a path that names nothing answers 400.
//
//   "modules": {"Delegate":   {"fields": ["Status"],
//                              "links": {"User": "User", "CourseDate": "CourseDate"}},
//               "CourseDate": {"fields": ["Status", "StartDate"], "links": {"Course": "Course"}}}
//
// A module the config does not declare is not checked, nor is a path once
// it reaches one, nor the members of `contact` or of a field holding an
// object.

#include <map>
#include <set>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "domain/status.hpp"
#include "domain/workflow.hpp"

namespace herald::domain {

struct module_schema {
  std::set<std::string> fields;
  std::map<std::string, std::string> links;  // link name -> the module it points at
};

using module_schemas = std::map<std::string, module_schema>;

// Parses the config's `modules` object; errors name the member under
// `path` ("modules.Delegate.links.User").
result<module_schemas> parse_module_schemas(const boost::json::value& v, const std::string& path);

// Checks `path` read from an entity of `module`. An error says which
// segment names nothing on which module (the caller names the member).
status check_path(const module_schemas& modules, const std::string& module, std::string_view path);

// Checks every path of a workflow against the declared modules: the date
// trigger, each rule (in `any` groups too), the link paths and reverse
// links of each action's recipients, an assigned sender. Errors name the
// member ("rules[1].field", "actions[0].to[1]").
status check_workflow_paths(const workflow& w, const module_schemas& modules);

}  // namespace herald::domain
