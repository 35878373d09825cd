// CloudEvents from outside: structured JSON, batch, NDJSON and binary mode
// (header lines "name: value" before a NUL, then the body), then Herald's
// entity check and record parsing on what decodes.
#include "domain/entity_record.hpp"
#include "domain/event_decoder.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace herald::domain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string_view all(reinterpret_cast<const char*>(data + 1), size - 1);
  auto check = [](const cloud_event& event) {
    (void)check_entity_event(event);
    (void)entity_effect_of(event);
    if (event.subject) (void)parse_entity_key(*event.subject);
  };
  switch (data[0] % 4) {
    case 0:
    case 1:
    case 2: {
      auto format = static_cast<body_format>(data[0] % 4);
      auto events = decode_events(all, format);
      if (events) {
        for (const auto& e : *events) {
          check(e);
        }
      }
      break;
    }
    default: {
      auto parts = herald::fuzz::split_parts(data + 1, size - 1, 2);
      std::vector<std::pair<std::string, std::string>> headers;
      std::string_view lines = parts[0];
      while (!lines.empty()) {
        auto nl = lines.find('\n');
        auto line = lines.substr(0, nl);
        auto colon = line.find(':');
        if (colon != std::string_view::npos) {
          headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
        }
        if (nl == std::string_view::npos) {
          break;
        }
        lines.remove_prefix(nl + 1);
      }
      auto event = decode_binary_event(headers, "application/json", parts[1]);
      if (event) {
        check(*event);
      }
      break;
    }
  }
  return 0;
}
