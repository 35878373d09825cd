#include "domain/cloud_event.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "domain/rfc3339.hpp"

namespace json = boost::json;

namespace herald::domain {
namespace {

status bad(std::string field, std::string message) {
  return status{errc::invalid_argument, std::move(message), std::move(field)};
}

bool is_extension_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$&-^_.+").find(c) !=
                                                            std::string_view::npos;
}

// Reads a required non-empty string attribute.
status required_string(const json::object& obj, const char* name, std::string& out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->value().is_null()) {
    return bad(name, std::string("required attribute '") + name + "' is missing");
  }
  if (!it->value().is_string()) {
    return bad(name, std::string("attribute '") + name + "' must be a string");
  }
  out = std::string(it->value().get_string());
  if (out.empty()) {
    return bad(name, std::string("attribute '") + name + "' must not be empty");
  }
  return status::ok();
}

// Reads an optional string attribute; null counts as absent, empty is invalid.
status optional_string(const json::object& obj, const char* name, std::optional<std::string>& out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->value().is_null()) {
    return status::ok();
  }
  if (!it->value().is_string()) {
    return bad(name, std::string("attribute '") + name + "' must be a string");
  }
  out = std::string(it->value().get_string());
  if (out->empty()) {
    return bad(name, std::string("attribute '") + name + "' must not be empty");
  }
  return status::ok();
}

const char* const core_attributes[] = {"specversion", "id",          "source",     "type",
                                       "subject",     "time",        "datacontenttype",
                                       "dataschema",  "data",        "data_base64"};

bool is_core(std::string_view key) {
  return std::find(std::begin(core_attributes), std::end(core_attributes), key) !=
         std::end(core_attributes);
}

}  // namespace

bool operator==(const cloud_event& a, const cloud_event& b) {
  return a.id == b.id && a.source == b.source && a.type == b.type && a.subject == b.subject &&
         a.time == b.time && a.datacontenttype == b.datacontenttype &&
         a.dataschema == b.dataschema && a.extensions_json == b.extensions_json &&
         a.data_kind == b.data_kind && a.data == b.data && a.unique_id == b.unique_id;
}

bool is_media_type(std::string_view text) {
  auto semi = text.find(';');
  std::string_view main = text.substr(0, semi);
  while (!main.empty() && main.back() == ' ') {
    main.remove_suffix(1);
  }
  auto slash = main.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == main.size()) {
    return false;
  }
  auto type = main.substr(0, slash);
  auto sub = main.substr(slash + 1);
  return std::all_of(type.begin(), type.end(), is_token_char) &&
         std::all_of(sub.begin(), sub.end(), is_token_char);
}

bool is_json_media_type(const std::optional<std::string>& content_type) {
  if (!content_type) {
    return true;
  }
  std::string main = content_type->substr(0, content_type->find(';'));
  std::transform(main.begin(), main.end(), main.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!main.empty() && main.back() == ' ') {
    main.pop_back();
  }
  return main == "application/json" || main == "text/json" ||
         (main.size() > 5 && main.compare(main.size() - 5, 5, "+json") == 0);
}

result<cloud_event> parse_cloud_event(const json::value& value) {
  if (!value.is_object()) {
    return bad("", "an event must be a JSON object");
  }
  const json::object& obj = value.get_object();
  cloud_event ev;

  std::string specversion;
  if (auto st = required_string(obj, "specversion", specversion); !st) {
    return st;
  }
  if (specversion != "1.0") {
    return bad("specversion", "unsupported specversion '" + specversion + "' (only \"1.0\")");
  }
  if (auto st = required_string(obj, "id", ev.id); !st) {
    return st;
  }
  if (auto st = required_string(obj, "source", ev.source); !st) {
    return st;
  }
  if (auto st = required_string(obj, "type", ev.type); !st) {
    return st;
  }
  for (auto [name, target] : {std::pair{"subject", &ev.subject}, std::pair{"time", &ev.time},
                              std::pair{"datacontenttype", &ev.datacontenttype},
                              std::pair{"dataschema", &ev.dataschema}}) {
    if (auto st = optional_string(obj, name, *target); !st) {
      return st;
    }
  }
  if (ev.time && !parse_rfc3339_ms(*ev.time)) {
    return bad("time", "attribute 'time' must be an RFC 3339 timestamp, got '" + *ev.time + "'");
  }
  if (ev.datacontenttype && !is_media_type(*ev.datacontenttype)) {
    return bad("datacontenttype", "attribute 'datacontenttype' must be a media type "
                                  "(type/subtype), got '" + *ev.datacontenttype + "'");
  }

  auto data = obj.find("data");
  auto data_base64 = obj.find("data_base64");
  const bool has_data = data != obj.end() && !data->value().is_null();
  const bool has_base64 = data_base64 != obj.end() && !data_base64->value().is_null();
  if (has_data && has_base64) {
    return bad("data_base64", "'data' and 'data_base64' are mutually exclusive");
  }
  if (has_data) {
    ev.data_kind = data_form::json;
    ev.data = json::serialize(data->value());
  } else if (has_base64) {
    if (!data_base64->value().is_string()) {
      return bad("data_base64", "attribute 'data_base64' must be a string");
    }
    ev.data_kind = data_form::base64;
    ev.data = std::string(data_base64->value().get_string());
  }

  json::object extensions;
  for (const auto& kv : obj) {
    std::string_view key = kv.key();
    if (is_core(key)) {
      continue;
    }
    if (!is_extension_name(key)) {
      return bad(std::string(key), "extension attribute names must be lower-case letters and "
                                   "digits only, got '" + std::string(key) + "'");
    }
    const json::value& v = kv.value();
    if (v.is_null()) {
      continue;
    }
    if (!(v.is_string() || v.is_int64() || v.is_uint64() || v.is_bool())) {
      return bad(std::string(key), "extension attribute '" + std::string(key) +
                                       "' must be a string, an integer or a boolean");
    }
    extensions.emplace(key, v);
  }
  if (!extensions.empty()) {
    ev.extensions_json = json::serialize(extensions);
  }
  return ev;
}

std::string to_json_text(const cloud_event& ev) {
  json::object obj;
  obj["specversion"] = "1.0";
  obj["id"] = ev.id;
  obj["source"] = ev.source;
  obj["type"] = ev.type;
  if (ev.subject) {
    obj["subject"] = *ev.subject;
  }
  if (ev.time) {
    obj["time"] = *ev.time;
  }
  if (ev.datacontenttype) {
    obj["datacontenttype"] = *ev.datacontenttype;
  }
  if (ev.dataschema) {
    obj["dataschema"] = *ev.dataschema;
  }
  if (!ev.extensions_json.empty()) {
    json::error_code ec;
    json::value ext = json::parse(ev.extensions_json, ec);
    if (!ec && ext.is_object()) {
      for (const auto& kv : ext.get_object()) {
        obj[kv.key()] = kv.value();
      }
    }
  }
  if (ev.data_kind == data_form::json) {
    json::error_code ec;
    json::value data = json::parse(ev.data, ec);
    obj["data"] = ec ? json::value(ev.data) : std::move(data);
  } else if (ev.data_kind == data_form::base64) {
    obj["data_base64"] = ev.data;
  }
  return json::serialize(obj);
}

}  // namespace herald::domain
