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
  // What the buffer held before is written over, not cleared: only bytes
  // past its old size are ever zero-filled (by grow).
  if (rep_.size() < header_size) rep_.resize(header_size);
  std::memset(rep_.data(), 0, header_size);
  used_ = header_size;
  count_ = 0;
}

void batch_bytes::grow(std::size_t n) {
  // In steps of 64 KiB within the capacity (a resize zero-fills what it
  // adds), doubling the capacity when that is reached.
  constexpr std::size_t step = 64u << 10;
  const std::size_t need = used_ + n;
  std::size_t size = std::max(need, rep_.size() + step);
  if (size > rep_.capacity()) size = std::max(need, 2 * rep_.capacity());
  rep_.resize(size);
}

// Each record is written into room made at once (the header bytes of a
// write are composed on the stack): an append per field cost ≈ 45
// instructions each, five or six of them per write.
void batch_bytes::put(std::uint32_t column_id, std::string_view key, std::string_view value) {
  std::memcpy(put_value_room(column_id, key, value.size()), value.data(), value.size());
}

char* batch_bytes::put_value_room(std::uint32_t column_id, std::string_view key, std::size_t value_size) {
  char head[16];  // tag (1 + 5), key length (5)
  char* end = write_varint(write_column(head, column_id, type_value, type_column_family_value),
                           static_cast<std::uint32_t>(key.size()));
  char value_length[10];
  char* value_length_end = write_varint(value_length, static_cast<std::uint32_t>(value_size));
  const std::size_t head_size = static_cast<std::size_t>(end - head);
  const std::size_t value_length_size = static_cast<std::size_t>(value_length_end - value_length);
  const std::size_t record = head_size + key.size() + value_length_size + value_size;
  char* to = room(record);
  used_ += record;
  std::memcpy(to, head, head_size);
  to += head_size;
  std::memcpy(to, key.data(), key.size());
  to += key.size();
  std::memcpy(to, value_length, value_length_size);
  ++count_;
  return to + value_length_size;
}

void batch_bytes::erase(std::uint32_t column_id, std::string_view key) {
  char head[16];
  char* end = write_varint(write_column(head, column_id, type_deletion, type_column_family_deletion),
                           static_cast<std::uint32_t>(key.size()));
  const std::size_t head_size = static_cast<std::size_t>(end - head);
  char* to = room(head_size + key.size());
  used_ += head_size + key.size();
  std::memcpy(to, head, head_size);
  std::memcpy(to + head_size, key.data(), key.size());
  ++count_;
}

rocksdb::WriteBatch batch_bytes::finish() {
  rep_.resize(used_);
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
