#pragma once
// RocksDB's bytewise key order, compared without leaving the comparator.
//
// Every memtable insert compares its key with 20-30 others (skip-list
// search), a fifth of a communication's instructions. RocksDB's own
// BytewiseComparator reaches each comparison through an adjusting thunk and
// a call to libc's memcmp; this one compares eight bytes at a time inline.
// The order is the same, and so is the name ("leveldb.BytewiseComparator",
// which RocksDB records in a store and checks at open): stores written with
// either open with the other. Everything but Compare and Equal is RocksDB's
// own implementation.

#include <rocksdb/comparator.h>

namespace herald::storage {

const rocksdb::Comparator* bytewise_comparator();

}  // namespace herald::storage
