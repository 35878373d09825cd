#include "domain/channel_choice.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "domain/delivery_status.hpp"

namespace herald::domain {

const char* contact_member(const std::string& channel) {
  if (channel == "email") return "email";
  if (channel == "sms") return "mobile";
  if (channel == "post") return "address";
  if (channel == "einvoice") return "peppol_id";
  return nullptr;
}

std::string contact_text(const entity_record& r, const char* member) {
  const boost::json::value* v = r.contact.if_contains(member);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

channel_choice choose_channel(const std::vector<std::string>& channels, std::size_t from, const entity_record* who,
                              const preferences& prefs, const std::string& category) {
  channel_choice out;
  bool opted_out = false, unreachable = false, invalid = false;
  for (std::size_t i = from; i < channels.size(); ++i) {
    const std::string& c = channels[i];
    if (auto why = opt_out_reason(prefs, c, category); !why.empty()) {
      opted_out = true;
      if (out.detail.empty()) out.detail = why;
      continue;
    }
    const char* member = contact_member(c);
    if (!member) {
      out.channel = c;
      return out;
    }
    if (!who || !who->contact.contains(member) || who->contact.at(member).is_null()) {
      unreachable = true;
      continue;
    }
    // Marked invalid by the source, or not a number SMS can reach.
    const bool marked = std::find(who->contact_invalid.begin(), who->contact_invalid.end(), member) !=
                        who->contact_invalid.end();
    if (marked || (c == "sms" && !is_e164(contact_text(*who, "mobile")))) {
      invalid = true;
      continue;
    }
    out.channel = c;
    out.detail.clear();
    return out;
  }
  out.reason = opted_out && !unreachable && !invalid ? "opted_out" : invalid ? "invalid_contact" : "no_contact";
  return out;
}

}  // namespace herald::domain
