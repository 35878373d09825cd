#pragma once
// RFC 3339 timestamps, as CloudEvents `time` and the API use them:
// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM). Lower-case 't' and 'z'
// are accepted (RFC 3339 §5.6 NOTE); anything else is rejected.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/text_sink.hpp"

namespace herald::domain {

// Returns milliseconds since the Unix epoch (UTC), or nullopt when `text` is
// not a valid RFC 3339 date-time (including out-of-range fields and offsets).
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

// Formats milliseconds since the epoch as "2026-11-22T17:15:34.123Z"
// (milliseconds always present, UTC).
std::string format_rfc3339_ms(std::int64_t epoch_ms);
// The same text appended to `out`: the records the engine writes carry a
// dozen timestamps each, and a std::string of 24 characters is a heap one.
void append_rfc3339_ms(std::string& out, std::int64_t epoch_ms);
// The same text in quotes, as a JSON string (it has nothing to escape).
void append_rfc3339_ms_json(text_sink& out, std::int64_t epoch_ms);
void append_rfc3339_ms_json(std::string& out, std::int64_t epoch_ms);

}  // namespace herald::domain
