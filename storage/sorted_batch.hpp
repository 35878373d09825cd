#pragma once
// Appends one WriteBatch's puts and deletes to another, ordered by column
// family and key. RocksDB inserts a batch into its memtables in the batch's
// order; each memtable remembers where its last insert went, so keys that
// arrive sorted are found from there, not searched for from the top of the
// skip list, and an insert costs a few comparisons instead of a full search.
// The sort is stable: later writes of one key stay later (and win).

#include <cstdint>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/status.h>
#include <rocksdb/write_batch.h>

namespace herald::storage {

// `handles` maps a column family id to its handle (null: unknown). Only
// puts and deletes are expected; anything else is an error and `to` is left
// with what was appended before it.
rocksdb::Status append_sorted(const rocksdb::WriteBatch& from, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                              rocksdb::WriteBatch& to);

}  // namespace herald::storage
