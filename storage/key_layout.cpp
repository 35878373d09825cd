#include "storage/key_layout.hpp"

#include "domain/delivery_status.hpp"
#include "storage/coding.hpp"

namespace herald::storage {

std::string format_marker() {
  std::string s = "herald-store";
  s.push_back(static_cast<char>(store_format_version));
  return s;
}

std::string log_key(std::uint64_t seq) { return fixed64be(seq); }

std::string dedup_key(std::string_view source, std::string_view id) {
  std::string k;
  k.reserve(source.size() + id.size() + 2);
  put_lenstr(k, source);
  k.append(id.data(), id.size());
  return k;
}

std::string entity_history_prefix(std::string_view entity_key) {
  std::string k;
  put_lenstr(k, entity_key);
  return k;
}

std::string entity_prefix(std::string_view entity_key) { return entity_history_prefix(entity_key); }

key_piece newest_first_piece(std::int64_t ms) { return fixed64be_piece(UINT64_MAX - static_cast<std::uint64_t>(ms)); }

std::string newest_first(std::int64_t ms) { return std::string(newest_first_piece(ms)); }

char status_index_group(std::string_view status_or_group) {
  const std::string_view group = domain::status_group_of(status_or_group);
  return group.empty() ? 0 : group[0];  // 'f', 'n', 'c'
}

std::string timer_key(std::int64_t due_ms, std::string_view instance_id, int action) {
  std::string k = fixed64be(static_cast<std::uint64_t>(due_ms));
  put_lenstr(k, instance_id);
  k.push_back(static_cast<char>(action));
  return k;
}

std::optional<timer_key_parts> parse_timer_key(std::string_view key) {
  reader r(key);
  timer_key_parts p;
  p.due_ms = static_cast<std::int64_t>(r.fixed64());
  p.instance_id = std::string(r.lenstr());
  p.action = r.u8();
  if (!r.ok() || !r.at_end()) {
    return std::nullopt;
  }
  return p;
}

std::string entity_history_key(std::string_view entity_key, std::uint64_t seq) {
  std::string k = entity_history_prefix(entity_key);
  put_fixed64be(k, seq);
  return k;
}

std::optional<std::uint64_t> entity_history_seq(std::string_view key) {
  reader r(key);
  r.lenstr();
  std::uint64_t seq = r.fixed64();
  if (!r.ok() || !r.at_end()) {
    return std::nullopt;
  }
  return seq;
}

std::string view_ref(std::uint64_t seq) {
  std::string v(1, '\0');
  put_fixed64be(v, seq);
  return v;
}

std::optional<std::uint64_t> view_ref_seq(std::string_view value) {
  if (value.size() != 9 || value[0] != '\0') {
    return std::nullopt;
  }
  return get_fixed64be(value.substr(1));
}

}  // namespace herald::storage
