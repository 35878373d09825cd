#pragma once
// Who a message is from (seed 002): an action's "sender", resolved when it
// fires, as the mailbox "Name <address>" that goes on the attempt.
//
//   ""                         the channel's configured sender
//   "billing@example.com",     that address, as written
//   "Billing <billing@…>"
//   "User/u-7"                 that entity: its label and contact email
//   "role:NAME"                the first member of the role with an email
//   "assigned:PATH"            the entity PATH reaches from the mapped-to
//                              entity ("assigned:Account.AccountManager");
//                              a field holding a list of keys: the first
//                              one (the user assigned first)
// A sender that resolves to nobody with an email falls back to the
// channel's configured sender; the reason says so.

#include <map>
#include <string>
#include <vector>

#include "domain/entity_path.hpp"

namespace herald::domain {

struct resolved_sender {
  std::string mailbox;  // "Name <address>", or the configured one
  std::string note;     // why the configured sender was used, if it was
};

resolved_sender resolve_sender(const std::string& spec, const entity_key& mapped_to_key,
                               const entity_record& mapped_to, const entity_lookup& lookup,
                               const std::map<std::string, std::vector<std::string>>& roles,
                               const std::string& configured);

// "Name <address>" for an entity with an email, "" otherwise.
std::string mailbox_of(const entity_record& r);

}  // namespace herald::domain
