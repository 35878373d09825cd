#include "storage/record_codec.hpp"

#include <cstring>

#include "storage/coding.hpp"

namespace herald::storage {

void encode_record(domain::event_kind kind, std::int64_t recorded_at_ms,
                   const domain::cloud_event& ev, std::string& out) {
  // The strings in the order they are written; their lengths bound the
  // record, which is then written in one pass into room made at once (the
  // sequencer encodes every record of every group: an append per field
  // cost more than copying the bytes).
  std::string_view fields[8];
  std::size_t count = 0;
  fields[count++] = ev.id;
  fields[count++] = ev.source;
  fields[count++] = ev.type;
  for (const auto* opt : {&ev.subject, &ev.time, &ev.datacontenttype, &ev.dataschema}) {
    if (*opt) fields[count++] = **opt;
  }
  if (!ev.extensions_json.empty()) fields[count++] = ev.extensions_json;
  const bool has_data = ev.data_kind != domain::data_form::none;
  constexpr std::size_t varint_max = 10;
  std::size_t bound = 2 + varint_max + 1 + 1 + (has_data ? varint_max + ev.data.size() : 0);
  for (std::size_t i = 0; i < count; ++i) bound += varint_max + fields[i].size();

  const std::size_t start = out.size();
  out.resize(start + bound);
  char* at = out.data() + start;
  auto write_lenstr = [&at](std::string_view s) {
    at = write_varint(at, s.size());
    std::memcpy(at, s.data(), s.size());
    at += s.size();
  };
  *at++ = static_cast<char>(record_format_version);
  *at++ = static_cast<char>(kind);
  at = write_varint(at, static_cast<std::uint64_t>(recorded_at_ms));
  const std::uint8_t flags = (ev.subject ? 0x01 : 0) | (ev.time ? 0x02 : 0) |
                             (ev.datacontenttype ? 0x04 : 0) | (ev.dataschema ? 0x08 : 0) |
                             (!ev.extensions_json.empty() ? 0x10 : 0) | (ev.unique_id ? 0x20 : 0);
  *at++ = static_cast<char>(flags);
  for (std::size_t i = 0; i < count; ++i) write_lenstr(fields[i]);
  *at++ = static_cast<char>(ev.data_kind);
  if (has_data) write_lenstr(ev.data);
  out.resize(static_cast<std::size_t>(at - out.data()));
}

result<stored_event> decode_record(std::uint64_t seq, std::string_view bytes) {
  auto corrupt = [seq](const std::string& why) {
    return status{errc::corruption, "log record " + std::to_string(seq) + " is corrupt: " + why};
  };
  reader r(bytes);
  stored_event e;
  e.seq = seq;
  const std::uint8_t version = r.u8();
  if (r.ok() && version != record_format_version) {
    return corrupt("unknown format version " + std::to_string(version));
  }
  const std::uint8_t kind_byte = r.u8();
  const std::optional<domain::event_kind> kind = domain::event_kind_of(kind_byte);
  if (r.ok() && !kind) {
    return corrupt("unknown record kind " + std::to_string(kind_byte));
  }
  e.kind = kind.value_or(domain::event_kind::cloud_event);  // a truncated record fails below
  e.recorded_at_ms = static_cast<std::int64_t>(r.varint());
  const std::uint8_t flags = r.u8();
  domain::cloud_event& ev = e.event;
  ev.id = std::string(r.lenstr());
  ev.source = std::string(r.lenstr());
  ev.type = std::string(r.lenstr());
  std::uint8_t bit = 0x01;
  for (auto* opt : {&ev.subject, &ev.time, &ev.datacontenttype, &ev.dataschema}) {
    if (flags & bit) {
      *opt = std::string(r.lenstr());
    }
    bit = static_cast<std::uint8_t>(bit << 1);
  }
  if (flags & 0x10) {
    ev.extensions_json = std::string(r.lenstr());
  }
  ev.unique_id = (flags & 0x20) != 0;
  const std::uint8_t data_kind = r.u8();
  if (data_kind > 2) {
    return corrupt("unknown data kind " + std::to_string(data_kind));
  }
  ev.data_kind = static_cast<domain::data_form>(data_kind);
  if (ev.data_kind != domain::data_form::none) {
    ev.data = std::string(r.lenstr());
  }
  if (!r.ok()) {
    return corrupt("truncated");
  }
  if (!r.at_end()) {
    return corrupt("trailing bytes");
  }
  return e;
}

}  // namespace herald::storage
