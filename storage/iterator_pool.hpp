#pragma once
// RocksDB iterators over column families, kept for reuse. Creating one
// takes a reference on the family's current memtables and table files and
// builds a merging iterator over all of them, which cost more than the
// short per-entity walks it served (a new entity's history is one key).
// A kept iterator is Refresh()ed when taken: while no flush or compaction
// changed the family, that only moves it to the newest sequence number.
//
// Thread safety: take and give_back may be called from any thread; an
// iterator is used by one thread between the two. While kept, an iterator
// holds on to the memtables and files it was last refreshed over, so the
// pool keeps only a few per family, and must be cleared before its DB
// closes.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

namespace herald::storage {

class iterator_pool {
 public:
  explicit iterator_pool(std::size_t keep_per_family = 2) : keep_(keep_per_family) {}
  iterator_pool(const iterator_pool&) = delete;
  iterator_pool& operator=(const iterator_pool&) = delete;

  // A kept iterator over `family`, refreshed, or a new one.
  std::unique_ptr<rocksdb::Iterator> take(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family);
  // Keeps `it`, over `family`, for a later take, unless enough are kept already.
  void give_back(rocksdb::ColumnFamilyHandle* family, std::unique_ptr<rocksdb::Iterator> it);
  // Drops every kept iterator (before their DB closes).
  void clear();

 private:
  const std::size_t keep_;
  std::mutex mu_;
  struct kept_iterator {
    std::uint32_t family = 0;  // its column family's id
    std::unique_ptr<rocksdb::Iterator> it;
  };
  std::vector<kept_iterator> kept_;
};

// Takes an iterator from a pool and gives it back when it goes out of scope.
class pooled_iterator {
 public:
  pooled_iterator(iterator_pool& pool, rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family)
      : pool_(pool), family_(family), it_(pool.take(db, family)) {}
  ~pooled_iterator() { pool_.give_back(family_, std::move(it_)); }
  pooled_iterator(const pooled_iterator&) = delete;
  pooled_iterator& operator=(const pooled_iterator&) = delete;
  rocksdb::Iterator* operator->() const { return it_.get(); }

 private:
  iterator_pool& pool_;
  rocksdb::ColumnFamilyHandle* family_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace herald::storage
