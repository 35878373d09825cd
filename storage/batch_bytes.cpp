#include "storage/batch_bytes.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "storage/coding.hpp"

namespace herald::storage {
namespace {

// RocksDB's record types (db/dbformat.h, ValueType): persisted in every
// write-ahead log, so they do not change.
constexpr char type_deletion = 0x0;
constexpr char type_value = 0x1;
constexpr char type_column_family_deletion = 0x4;
constexpr char type_column_family_value = 0x5;
constexpr std::size_t header_size = 12;  // sequence: fixed64, count: fixed32

// A record's tag: the type, and the column id unless it is the default.
char* write_column(char* to, std::uint32_t column_id, char default_type, char column_type) {
  if (column_id == 0) {
    *to++ = default_type;
    return to;
  }
  *to++ = column_type;
  return write_varint(to, column_id);
}

}  // namespace

batch_bytes::batch_bytes(std::string buffer) : rep_(std::move(buffer)) { start(); }

void batch_bytes::start() {
  rep_.assign(header_size, '\0');
  count_ = 0;
}

// Each record is written into room made at once (the header bytes of a
// write are composed on the stack): an append per field cost ≈ 45
// instructions each, five or six of them per write.
void batch_bytes::put(std::uint32_t column_id, std::string_view key, std::string_view value) {
  char head[16];  // tag (1 + 5), key length (5)
  char* end = write_varint(write_column(head, column_id, type_value, type_column_family_value),
                           static_cast<std::uint32_t>(key.size()));
  char value_length[10];
  char* value_length_end = write_varint(value_length, static_cast<std::uint32_t>(value.size()));
  const std::size_t head_size = static_cast<std::size_t>(end - head);
  const std::size_t value_length_size = static_cast<std::size_t>(value_length_end - value_length);
  const std::size_t record = head_size + key.size() + value_length_size + value.size();
  const std::size_t at = rep_.size();
  if (rep_.capacity() - at < record) rep_.reserve(std::max(at + record, 2 * rep_.capacity()));
  rep_.resize(at + record);
  char* to = rep_.data() + at;
  std::memcpy(to, head, head_size);
  to += head_size;
  std::memcpy(to, key.data(), key.size());
  to += key.size();
  std::memcpy(to, value_length, value_length_size);
  to += value_length_size;
  std::memcpy(to, value.data(), value.size());
  ++count_;
}

void batch_bytes::erase(std::uint32_t column_id, std::string_view key) {
  char head[16];
  char* end = write_varint(write_column(head, column_id, type_deletion, type_column_family_deletion),
                           static_cast<std::uint32_t>(key.size()));
  rep_.append(head, static_cast<std::size_t>(end - head));
  rep_.append(key.data(), key.size());
  ++count_;
}

rocksdb::WriteBatch batch_bytes::finish() {
  for (std::size_t i = 0; i < 4; ++i) rep_[8 + i] = static_cast<char>((count_ >> (8 * i)) & 0xff);  // little-endian
  rocksdb::WriteBatch batch(std::move(rep_));
  rep_ = std::string();
  start();
  return batch;
}

std::string batch_bytes::reclaim(rocksdb::WriteBatch&& batch) {
  // The batch is not used again: its bytes (a member it only lends out as
  // const) are moved out, and it is cleared, which gives it a fresh header.
  std::string bytes = std::move(const_cast<std::string&>(batch.Data()));
  batch.Clear();
  return bytes;
}

}  // namespace herald::storage
