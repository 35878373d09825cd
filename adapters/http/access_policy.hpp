#pragma once
// Which role an endpoint needs (SPEC §6, §10). Roles nest: admin can do
// what an operator can, an operator what a viewer can; ingest only sends
// events (admin may too).
//
//   ingest    POST /v1/events, POST /v1/webhooks/post|einvoice
//   viewer    every GET
//   operator  operations: resend, execute, log or send a communication,
//             complete a task, set a recipient's preferences
//   admin     definitions (workflows, templates, lists), /v1/admin/*

#include <string>

namespace herald::adapters {

std::string required_role(const std::string& method, const std::string& path);

// Returns true when a key with role `role` may call what needs `required`.
bool role_allows(const std::string& role, const std::string& required);

}  // namespace herald::adapters
