#include "domain/preferences.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace herald::domain {
namespace {

bool known_channel(const std::string& c) {
  return c == "email" || c == "sms" || c == "post" || c == "einvoice" || c == "manual";
}

result<bool> opted_out(const json::value& v, const std::string& field) {
  if (v.is_string() && v.get_string() == "opt_out") return true;
  if (v.is_string() && v.get_string() == "opt_in") return false;
  return status{errc::invalid_argument, "must be \"opt_out\" or \"opt_in\"", field};
}

result<std::map<std::string, bool>> choices(const json::value& v, const std::string& field, bool channels) {
  if (!v.is_object()) return status{errc::invalid_argument, "must be an object of name: \"opt_out\"|\"opt_in\"", field};
  std::map<std::string, bool> out;
  for (const auto& kv : v.get_object()) {
    const std::string name(kv.key());
    const std::string member = field + "." + name;
    if (channels && !known_channel(name)) {
      return status{errc::invalid_argument, "unknown channel (email, sms, post, einvoice, manual)", member};
    }
    if (!channels && name.empty()) return status{errc::invalid_argument, "a category needs a name", field};
    auto o = opted_out(kv.value(), member);
    if (!o) return o.error();
    out[name] = *o;
  }
  return out;
}

}  // namespace

result<preferences> parse_preferences(const json::value& v) {
  if (!v.is_object()) return status{errc::invalid_argument, "preferences must be a JSON object", "body"};
  preferences p;
  for (const auto& kv : v.get_object()) {
    const std::string key(kv.key());
    if (key == "all") {
      auto o = opted_out(kv.value(), "all");
      if (!o) return o.error();
      p.all_opted_out = *o;
    } else if (key == "channels" || key == "categories") {
      auto c = choices(kv.value(), key, key == "channels");
      if (!c) return c.error();
      (key == "channels" ? p.channels : p.categories) = std::move(*c);
    } else if (key == "recipient" || key == "updated_at" || key == "updated_by") {
      if (kv.value().is_string() && key != "recipient") {
        (key == "updated_at" ? p.updated_at : p.updated_by) = std::string(kv.value().get_string());
      }
    } else {
      return status{errc::invalid_argument, "unknown member (all, channels, categories)", key};
    }
  }
  return p;
}

json::value to_json(const preferences& p, const std::string& recipient) {
  auto word = [](bool out) { return out ? "opt_out" : "opt_in"; };
  json::object channels, categories;
  for (const auto& [k, v] : p.channels) channels[k] = word(v);
  for (const auto& [k, v] : p.categories) categories[k] = word(v);
  return json::object{{"recipient", recipient},     {"all", word(p.all_opted_out)},
                      {"channels", channels},       {"categories", categories},
                      {"updated_at", p.updated_at}, {"updated_by", p.updated_by}};
}

std::string opt_out_reason(const preferences& p, const std::string& channel, const std::string& category) {
  if (p.all_opted_out) return "opted out of all communication";
  if (auto it = p.channels.find(channel); it != p.channels.end() && it->second) return "opted out of " + channel;
  if (auto it = p.categories.find(category); !category.empty() && it != p.categories.end() && it->second) {
    return "opted out of category " + category;
  }
  return {};
}

}  // namespace herald::domain
