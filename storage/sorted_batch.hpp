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
#include <string>
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
  std::size_t size() const { return writes_.size(); }
  void clear();
  // Appends every write gathered so far to `to`, sorted, and clears them.
  void append_to(batch_bytes& to);

 private:
  struct write {
    std::uint32_t column_id = 0;
    bool erase = false;
    // The key's first eight bytes (zero-padded), big-endian: most pairs of
    // keys are ordered by it without reading the keys (sort_key()).
    std::uint64_t leading = 0;
    std::size_t key_at = 0;  // offsets into bytes_, which grows as writes come
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;  // the value follows the key
  };
  std::string bytes_;
  std::vector<write> writes_;
  std::vector<std::uint32_t> order_;
};

}  // namespace herald::storage
