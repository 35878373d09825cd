#pragma once
// A CloudEvents 1.0 event as Herald keeps it, and its JSON-format codec.
//
// parse_cloud_event() validates against the CloudEvents 1.0 core spec and the
// JSON format: required `specversion` ("1.0"), `id`, `source`, `type` as
// non-empty strings; optional `subject`, `dataschema` non-empty, `time`
// RFC 3339, `datacontenttype` RFC 2046 (type/subtype); extension names of
// [a-z0-9]; extension values string, integer or boolean; `data` and
// `data_base64` mutually exclusive. Optional attributes given as null count as
// absent. Errors name the offending attribute in status::field().

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "domain/status.hpp"

namespace herald::domain {

struct engine_facts;  // engine_facts.hpp

enum class data_form : std::uint8_t {
  none = 0,
  json = 1,    // `data` holds serialized JSON text (object, array, string, number...)
  base64 = 2,  // `data` holds the text of `data_base64`
};

struct cloud_event {
  std::string id;
  std::string source;
  std::string type;
  std::optional<std::string> subject;
  std::optional<std::string> time;
  std::optional<std::string> datacontenttype;
  std::optional<std::string> dataschema;
  // Serialized JSON object of the extension attributes; empty when none.
  std::string extensions_json;
  data_form data_kind = data_form::none;
  std::string data;
  // Not a CloudEvents attribute: the id was made unique by Herald itself
  // (domain::engine::next_event_id), so no (source, id) dedup entry is kept
  // for it. Stored with the record (record_codec.hpp), so replay agrees.
  bool unique_id = false;
  // Not a CloudEvents attribute either, and not stored: for the records the
  // engine writes, what the store's projection would read from `data`
  // (engine_facts.hpp). Null for every other event. Not compared by ==.
  std::shared_ptr<const engine_facts> facts;

  friend bool operator==(const cloud_event& a, const cloud_event& b);
};

// Returns the validated event or an invalid_argument status naming the field.
result<cloud_event> parse_cloud_event(const boost::json::value& value);

// Returns the event in CloudEvents JSON format (one line, no trailing newline).
std::string to_json_text(const cloud_event& event);

// Returns true for an RFC 2046 media type: "type/subtype" with optional
// ";param=value" parameters.
bool is_media_type(std::string_view text);

// Returns true when data of this media type is JSON ("application/json",
// "text/json", any "+json" suffix); absent means JSON per the JSON format.
bool is_json_media_type(const std::optional<std::string>& content_type);

}  // namespace herald::domain
