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

#include <cstdint>
#include <cstring>
#include <string_view>

#include <rocksdb/comparator.h>

namespace herald::storage {

const rocksdb::Comparator* bytewise_comparator();

// Eight bytes as a number whose order is their memcmp order.
inline std::uint64_t load_big_endian(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return v;
#else
  return __builtin_bswap64(v);
#endif
}

// memcmp's order of two byte strings, the shorter first on a common
// prefix: eight bytes at a time, inline.
inline int compare_bytewise(std::string_view a, std::string_view b) {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t x = load_big_endian(a.data() + i), y = load_big_endian(b.data() + i);
    if (x != y) return x < y ? -1 : 1;
  }
  for (; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

}  // namespace herald::storage
