#include "storage/batch_bytes.hpp"

#include <algorithm>
#include <utility>

namespace herald::storage {
namespace {

// RocksDB's record types (db/dbformat.h, ValueType): persisted in every
// write-ahead log, so they do not change.
constexpr char type_deletion = 0x0;
constexpr char type_value = 0x1;
constexpr char type_column_family_deletion = 0x4;
constexpr char type_column_family_value = 0x5;
constexpr std::size_t header_size = 12;  // sequence: fixed64, count: fixed32

}  // namespace

batch_bytes::batch_bytes(std::string buffer) : rep_(std::move(buffer)) { start(); }

void batch_bytes::start() {
  rep_.assign(header_size, '\0');
  count_ = 0;
}

void batch_bytes::put_varint(std::uint32_t v) {
  char buf[5];
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  rep_.append(buf, n);
}

void batch_bytes::put_column(std::uint32_t column_id, char default_type, char column_type) {
  if (column_id == 0) {
    rep_ += default_type;
  } else {
    rep_ += column_type;
    put_varint(column_id);
  }
}

void batch_bytes::put(std::uint32_t column_id, std::string_view key, std::string_view value) {
  const std::size_t most = 1 + 5 + 5 + key.size() + 5 + value.size();
  if (rep_.capacity() - rep_.size() < most) rep_.reserve(std::max(rep_.size() + most, 2 * rep_.capacity()));
  put_column(column_id, type_value, type_column_family_value);
  put_varint(static_cast<std::uint32_t>(key.size()));
  rep_.append(key.data(), key.size());
  put_varint(static_cast<std::uint32_t>(value.size()));
  rep_.append(value.data(), value.size());
  ++count_;
}

void batch_bytes::erase(std::uint32_t column_id, std::string_view key) {
  put_column(column_id, type_deletion, type_column_family_deletion);
  put_varint(static_cast<std::uint32_t>(key.size()));
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
