#include "domain/event_decoder.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "domain/base64.hpp"
#include "domain/entity_record.hpp"
#include "domain/percent_encoding.hpp"

namespace json = boost::json;

namespace herald::domain {
namespace {

std::string lower_main_type(std::string_view content_type) {
  std::string main(content_type.substr(0, content_type.find(';')));
  main.erase(std::remove(main.begin(), main.end(), ' '), main.end());
  std::transform(main.begin(), main.end(), main.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return main;
}

result<json::value> parse_json(std::string_view text, long index) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    return status{errc::parse_error, "body is not valid JSON: " + ec.message(), "", index};
  }
  return v;
}

// Checks the entity shape on the already parsed `data` (no second parse).
status check_entity_data(const cloud_event& ev, const json::value* data) {
  if (!ev.subject || !parse_entity_key(*ev.subject) || ev.data_kind == data_form::none) {
    return status::ok();
  }
  if (ev.data_kind == data_form::base64 || !data) {
    return check_entity_event(ev);
  }
  auto record = parse_entity_record(*data);
  return record ? status::ok() : record.error();
}

result<cloud_event> decode_one(const json::value& v, long index) {
  auto ev = parse_cloud_event(v);
  if (!ev) {
    return ev.error().with_index(index);
  }
  const json::value* data = v.is_object() ? v.get_object().if_contains("data") : nullptr;
  if (auto st = check_entity_data(*ev, data); !st) {
    return st.with_index(index);
  }
  return ev;
}

std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      const int hi = hex_digit_value(in[i + 1]);
      const int lo = hex_digit_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += in[i];
  }
  return out;
}

}  // namespace

result<body_format> body_format_for(std::string_view content_type) {
  const std::string main = lower_main_type(content_type);
  if (main == "application/cloudevents+json" || main == "application/json") {
    return body_format::single;
  }
  if (main == "application/cloudevents-batch+json") {
    return body_format::batch;
  }
  if (main == "application/x-ndjson" || main == "application/ndjson" ||
      main == "application/jsonl") {
    return body_format::ndjson;
  }
  return status{errc::unsupported,
                "unsupported Content-Type '" + std::string(content_type) +
                    "': use application/cloudevents+json, application/json, "
                    "application/cloudevents-batch+json or application/x-ndjson, or the "
                    "binary content mode with ce-* headers",
                "Content-Type"};
}

result<std::vector<cloud_event>> decode_events(std::string_view body, body_format format) {
  std::vector<cloud_event> events;
  if (format == body_format::ndjson) {
    long index = 0;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= body.size()) {
      std::size_t end = body.find('\n', pos);
      if (end == std::string_view::npos) {
        end = body.size();
      }
      std::string_view line = body.substr(pos, end - pos);
      ++line_no;
      pos = end + 1;
      if (std::all_of(line.begin(), line.end(),
                      [](unsigned char c) { return std::isspace(c) != 0; })) {
        continue;
      }
      auto v = parse_json(line, index);
      auto ev = v ? decode_one(*v, index) : result<cloud_event>(v.error());
      if (!ev) {
        const status& e = ev.error();
        return status{e.code(), "line " + std::to_string(line_no) + ": " + e.message(),
                      e.field(), index};
      }
      events.push_back(std::move(*ev));
      ++index;
    }
    return events;
  }

  auto v = parse_json(body, -1);
  if (!v) {
    return v.error();
  }
  if (format == body_format::single && !v->is_array()) {
    auto ev = decode_one(*v, 0);
    if (!ev) {
      return ev.error();
    }
    events.push_back(std::move(*ev));
    return events;
  }
  if (!v->is_array()) {
    return status{errc::invalid_argument, "a batch must be a JSON array of events"};
  }
  const json::array& arr = v->get_array();
  events.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto ev = decode_one(arr[i], static_cast<long>(i));
    if (!ev) {
      return ev.error();
    }
    events.push_back(std::move(*ev));
  }
  return events;
}

result<cloud_event> decode_binary_event(
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::string_view content_type, std::string_view body) {
  json::object obj;
  for (const auto& [name, value] : headers) {
    if (name.size() > 3 && name.compare(0, 3, "ce-") == 0) {
      obj[name.substr(3)] = percent_decode(value);
    }
  }
  if (!content_type.empty()) {
    obj["datacontenttype"] = std::string(content_type);
  }
  auto ev = parse_cloud_event(obj);
  if (!ev) {
    const status& e = ev.error();
    return status{e.code(), e.message(), e.field().empty() ? "" : "ce-" + e.field(), 0};
  }
  if (!body.empty()) {
    if (is_json_media_type(ev->datacontenttype)) {
      auto data = parse_json(body, 0);
      if (!data) {
        return status{errc::parse_error, "body is not valid JSON for its JSON Content-Type",
                      "data", 0};
      }
      ev->data_kind = data_form::json;
      ev->data = json::serialize(*data);
    } else {
      ev->data_kind = data_form::base64;
      ev->data = base64_encode(body);
    }
  }
  if (auto st = check_entity_event(*ev); !st) {
    return st.with_index(0);
  }
  return ev;
}

status check_entity_event(const cloud_event& event) {
  if (!event.subject || !parse_entity_key(*event.subject)) {
    return status::ok();
  }
  if (event.data_kind == data_form::none) {
    return status::ok();
  }
  if (event.data_kind == data_form::base64) {
    return status{errc::invalid_argument,
                  "an event about entity '" + *event.subject +
                      "' must carry its record as JSON 'data', not 'data_base64'",
                  "data_base64"};
  }
  json::error_code ec;
  json::value data = json::parse(event.data, ec);
  if (ec) {
    return status{errc::invalid_argument, "data is not valid JSON", "data"};
  }
  auto record = parse_entity_record(data);
  if (!record) {
    return record.error();
  }
  return status::ok();
}

}  // namespace herald::domain
