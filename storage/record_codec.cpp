#include "storage/record_codec.hpp"

#include <cassert>
#include <cstring>

#include "storage/coding.hpp"

namespace herald::storage {

namespace {

// The strings of a record in the order they are written.
struct record_fields {
  std::string_view text[8];
  std::size_t count = 0;
  explicit record_fields(const domain::cloud_event& ev) {
    text[count++] = ev.id;
    text[count++] = ev.source;
    text[count++] = ev.type;
    for (const auto* opt : {&ev.subject, &ev.time, &ev.datacontenttype, &ev.dataschema}) {
      if (*opt) text[count++] = **opt;
    }
    if (!ev.extensions_json.empty()) text[count++] = ev.extensions_json;
  }
};

std::size_t lenstr_size(std::string_view s) { return varint_size(s.size()) + s.size(); }

}  // namespace

std::size_t encoded_record_size(const domain::cloud_event& ev, std::int64_t recorded_at_ms) {
  const record_fields fields(ev);
  std::size_t size = 2 + varint_size(static_cast<std::uint64_t>(recorded_at_ms)) + 1 + 1;
  for (std::size_t i = 0; i < fields.count; ++i) size += lenstr_size(fields.text[i]);
  if (ev.data_kind != domain::data_form::none) size += lenstr_size(ev.data);
  return size;
}

char* encode_record_to(char* at, domain::event_kind kind, std::int64_t recorded_at_ms,
                       const domain::cloud_event& ev) {
  // Written in one pass into room made at once (the sequencer encodes every
  // record of every group: an append per field cost more than the copies).
  const record_fields fields(ev);
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
  for (std::size_t i = 0; i < fields.count; ++i) write_lenstr(fields.text[i]);
  *at++ = static_cast<char>(ev.data_kind);
  if (ev.data_kind != domain::data_form::none) write_lenstr(ev.data);
  return at;
}

void encode_record(domain::event_kind kind, std::int64_t recorded_at_ms, const domain::cloud_event& ev,
                   std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + encoded_record_size(ev, recorded_at_ms));
  [[maybe_unused]] const char* end = encode_record_to(out.data() + start, kind, recorded_at_ms, ev);
  assert(end == out.data() + out.size());
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
