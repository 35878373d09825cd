#pragma once
// Codec of the values stored in the "log" column family.
//
//   record     := version:u8 (=1) kind:u8 recorded_at_ms:varint body
//   body(kind=1 cloud_event, kind=2 engine_event)
//              := flags:u8 id:lenstr source:lenstr type:lenstr
//                 [subject:lenstr]          if flags & 0x01
//                 [time:lenstr]             if flags & 0x02
//                 [datacontenttype:lenstr]  if flags & 0x04
//                 [dataschema:lenstr]       if flags & 0x08
//                 [extensions:lenstr]       if flags & 0x10 (JSON object text)
//                 (flags & 0x20: the id is unique by construction, no dedup entry)
//                 data_kind:u8 (0 none, 1 json, 2 base64)
//                 [data:lenstr]             if data_kind != 0
//   (lenstr, varint: see coding.hpp)
//
// The sequence number is the record's key, not part of the value. A version
// other than 1 or an unknown kind decodes to a corruption status, never to a
// guess.

#include <string>
#include <string_view>

#include "domain/status.hpp"
#include "storage/stored_event.hpp"

namespace herald::storage {

inline constexpr std::uint8_t record_format_version = 1;

// Appends the encoding of an event (its seq is the key, not encoded) to `out`.
void encode_record(domain::event_kind kind, std::int64_t recorded_at_ms,
                   const domain::cloud_event& event, std::string& out);

// The same encoding written in place: `encoded_record_size` bytes exactly,
// from `to`; returns the byte after them. The sequencer writes each record
// straight into its group's batch this way, with no scratch copy.
std::size_t encoded_record_size(const domain::cloud_event& event, std::int64_t recorded_at_ms);
char* encode_record_to(char* to, domain::event_kind kind, std::int64_t recorded_at_ms,
                       const domain::cloud_event& event);
inline void encode_record(const stored_event& e, std::string& out) {
  encode_record(e.kind, e.recorded_at_ms, e.event, out);
}

// Returns the event stored under `seq` with value `bytes`.
result<stored_event> decode_record(std::uint64_t seq, std::string_view bytes);

}  // namespace herald::storage
