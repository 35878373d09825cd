#pragma once
// Which channel of an action's list reaches a recipient (SPEC §5): the first
// whose contact is present, valid and not opted out, from a position in the
// list (a fallback after a hard failure starts after the failed channel).
// "manual" always qualifies (a task), unless the recipient opted out of it.

#include <string>
#include <vector>

#include "domain/entity_record.hpp"
#include "domain/preferences.hpp"

namespace herald::domain {

struct channel_choice {
  std::string channel;  // empty: none qualifies
  // When none qualifies: opted_out (every channel skipped was opted out),
  // invalid_contact, or no_contact.
  std::string reason;
  std::string detail;  // e.g. "opted out of email"
};

// `who` may be null (a recipient Herald has no record of: no contact).
channel_choice choose_channel(const std::vector<std::string>& channels, std::size_t from, const entity_record* who,
                              const preferences& prefs, const std::string& category);

// The contact member a channel needs ("email", "mobile", "address",
// "peppol_id"); nullptr for manual.
const char* contact_member(const std::string& channel);

// The contact's text member, "" when absent or not text.
std::string contact_text(const entity_record& r, const char* member);

}  // namespace herald::domain
