#pragma once
// Decodes an ingest request body into CloudEvents, in every form SPEC §3
// accepts: one structured event, a JSON batch (array), NDJSON (one event per
// non-blank line) and the HTTP binding's binary content mode (attributes in
// `ce-*` headers, the body is the data).
//
// All-or-nothing: the first invalid event makes the whole decode fail, and
// the status carries that event's index (0-based, counting events; for NDJSON
// the message also names the 1-based line) and the field at fault. Entity
// events (subject `Module/Id`) are also checked for the entity data shape.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/cloud_event.hpp"
#include "domain/status.hpp"

namespace herald::domain {

enum class body_format { single, batch, ndjson };

// Returns the body format for a Content-Type header value, or an unsupported
// status. `application/json` is a single event, or a batch when the body is an
// array.
result<body_format> body_format_for(std::string_view content_type);

result<std::vector<cloud_event>> decode_events(std::string_view body, body_format format);

// Binary content mode. `headers` are (lower-case name, value) pairs; those
// starting with "ce-" are attributes (percent-decoded per the HTTP binding).
result<cloud_event> decode_binary_event(const std::vector<std::pair<std::string, std::string>>& headers,
                                        std::string_view content_type, std::string_view body);

// Checks what Herald adds on top of CloudEvents: an event whose subject is an
// entity key must carry entity data of the SPEC §3 shape (or none).
status check_entity_event(const cloud_event& event);

}  // namespace herald::domain
