#pragma once
// Puts and deletes gathered for one WriteBatch, appended to it ordered by
// column family and key. RocksDB inserts a batch into its memtables in the
// batch's order; each memtable remembers where its last insert went, so keys
// that arrive sorted are found from there, not searched for from the top of
// the skip list, and an insert costs a few comparisons instead of a full
// search. The order is stable: later writes of one key stay later (and win).
//
// The writes are kept as plain bytes until they are appended: gathering them
// in a WriteBatch of their own and reading that back to sort it encoded and
// decoded every write once more (2 % of a communication's instructions).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/slice.h>
#include <rocksdb/status.h>
#include <rocksdb/write_batch.h>

#include "storage/batch_bytes.hpp"

namespace herald::storage {

class sorted_writes {
 public:
  void put(rocksdb::ColumnFamilyHandle* column, const rocksdb::Slice& key, const rocksdb::Slice& value);
  void erase(rocksdb::ColumnFamilyHandle* column, const rocksdb::Slice& key);
  // The same, with the key given as the parts it joins (key_layout.hpp's
  // layouts), written in place: no key string is built and freed.
  void put(rocksdb::ColumnFamilyHandle* column, std::initializer_list<std::string_view> key_parts,
           const rocksdb::Slice& value);
  void erase(rocksdb::ColumnFamilyHandle* column, std::initializer_list<std::string_view> key_parts);
  std::size_t size() const { return writes_.size(); }
  void clear();
  // Writes to this column (an id below 64) are not sorted but appended
  // after the sorted ones, in the order they came: for a family whose
  // memtable inserts cost the same in any order (hashed_memtable.hpp),
  // sorting its random keys gains nothing.
  void keep_arrival_order(std::uint32_t column_id);
  // Appends every write gathered so far to `to`, sorted, and clears them.
  void append_to(batch_bytes& to);

 private:
  struct write {
    std::uint32_t column_id = 0;
    bool erase = false;
    std::size_t key_at = 0;  // offsets into bytes_, which grows as writes come
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;  // the value follows the key
  };
  // What the sort orders by: the key's first sixteen bytes (zero-padded) as
  // two big-endian numbers, then the whole key, then the write's position.
  struct sort_entry {
    std::uint64_t first;
    std::uint64_t second;
    std::uint32_t column_id;
    std::uint32_t index;  // into writes_
  };
  // Appends the parts to bytes_; returns the key's size.
  std::uint32_t append_key(std::initializer_list<std::string_view> key_parts);

  bool in_arrival_order(std::uint32_t column_id) const {
    return column_id < 64 && ((arrival_order_columns_ >> column_id) & 1u) != 0;
  }

  std::string bytes_;
  std::vector<write> writes_;
  std::vector<sort_entry> order_;
  std::uint64_t arrival_order_columns_ = 0;  // bit i: column i keeps arrival order
};

}  // namespace herald::storage
