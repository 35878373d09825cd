#pragma once
// The memtable of every column family but those whose keys are hashes
// (hashed_memtable.hpp): a skip list for keys in bytewise_comparator()
// order, compared inline.
//
// RocksDB's own skip list (InlineSkipList) was the largest single item of a
// communication's profile (about 15 % of the CPU under load, ≈ 39 key
// comparisons an insert). Debian's librocksdb is built without NDEBUG, so
// about half of those comparisons are its assertions re-checking each level
// after an insert, and every comparison passes through three virtual calls
// (memtable entry → internal key → user key). This is the same algorithm
// without either: one thread inserts (RocksDB's write group leader; the
// store sets allow_concurrent_memtable_write = false), any number read
// without locks, and an insert starts from where the last one went, so the
// sequencer's sorted keys (sorted_batch.hpp) climb only as far as they must.
//
// Only for families ordered by bytewise_comparator(): internal keys are
// compared as RocksDB's InternalKeyComparator does over that order (user key
// bytewise, then sequence and type descending), whatever comparator RocksDB
// passes in. Relies on two facts of RocksDB's uninstalled headers, stable
// since LevelDB: the arena interface (Allocator) and that a LookupKey starts
// with a pointer to its memtable key (memtable_entry.hpp).

#include <memory>

#include <rocksdb/memtablerep.h>

namespace herald::storage {

std::shared_ptr<rocksdb::MemTableRepFactory> bytewise_memtable_factory();

}  // namespace herald::storage
