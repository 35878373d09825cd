#pragma once
// A RocksDB WriteBatch written directly as its bytes.
//
// A group commit's batch holds ≈ 20 writes per communication. RocksDB's
// WriteBatch::Put re-encodes the batch's count, keeps a save point and
// makes five appends through the shared C++ library for each write (≈ 450
// instructions); here a write is a few bytes appended to a reserved buffer.
// The format is the write-ahead log's (RocksDB's write_batch.cc: a 12-byte
// header of sequence and count, then per write its type, its column family
// unless it is the default one, and its key and value each prefixed with a
// varint32 length), which RocksDB must keep reading from old logs. The
// tests compare it byte for byte with WriteBatch's own.

#include <cstdint>
#include <string>
#include <string_view>

#include <rocksdb/write_batch.h>

namespace herald::storage {

class batch_bytes {
 public:
  // Writes into `buffer`'s memory (its contents are dropped).
  explicit batch_bytes(std::string buffer = {});

  void put(std::uint32_t column_id, std::string_view key, std::string_view value);
  // A put whose value the caller writes in place: returns where its
  // `value_size` bytes go (valid until the next write to this builder).
  char* put_value_room(std::uint32_t column_id, std::string_view key, std::size_t value_size);
  void erase(std::uint32_t column_id, std::string_view key);
  std::uint32_t count() const { return count_; }
  std::size_t size() const { return used_; }  // bytes written so far

  // The batch of every write so far; this builder is empty again after.
  rocksdb::WriteBatch finish();
  // A written batch's memory, for a next builder.
  static std::string reclaim(rocksdb::WriteBatch&& batch);

 private:
  void start();
  // Room for `n` more bytes at used_.
  char* room(std::size_t n) {
    if (rep_.size() - used_ < n) grow(n);
    return rep_.data() + used_;
  }
  void grow(std::size_t n);

  // The batch is bytes [0, used_); rep_ is larger while it is written
  // (grow), and cut to used_ by finish. A resize per write zero-filled each
  // record before it was copied in: a sixth of the sequencer's instructions.
  std::string rep_;
  std::size_t used_ = 0;
  std::uint32_t count_ = 0;
};

}  // namespace herald::storage
