#pragma once
// What Herald's memtable representations (bytewise_memtable.hpp,
// hashed_memtable.hpp) know of RocksDB's memtable entries and arenas.
// Relies on two facts of RocksDB's uninstalled headers, stable since
// LevelDB: the arena interface (Allocator) and that a LookupKey starts with
// a pointer to its memtable key.

#include <cstdint>
#include <cstring>
#include <string_view>

#include <rocksdb/memtablerep.h>

#include "storage/bytewise_comparator.hpp"

// memory/allocator.h of RocksDB (not installed by Debian): the interface of
// the memtable's arena (ConcurrentArena) and of the arena an iterator may be
// placed in (Arena, whose only base it is). Unchanged since RocksDB 5.x.
namespace rocksdb {
class Allocator {
 public:
  virtual ~Allocator() {}
  virtual char* Allocate(size_t bytes) = 0;
  virtual char* AllocateAligned(size_t bytes, size_t huge_page_size = 0, Logger* logger = nullptr) = 0;
  virtual size_t BlockSize() const = 0;
};
}  // namespace rocksdb

namespace herald::storage::memtable_entry {

// db/dbformat.h: a LookupKey's first member points at its memtable key (a
// length-prefixed internal key); it has no virtual functions.
inline const char* memtable_key_of(const rocksdb::LookupKey& k) {
  const char* start;
  std::memcpy(&start, static_cast<const void*>(&k), sizeof start);
  return start;
}

inline rocksdb::Allocator* as_allocator(rocksdb::Arena* arena) {
  return static_cast<rocksdb::Allocator*>(static_cast<void*>(arena));
}

// The internal key (user key, then eight bytes of sequence and type) of a
// memtable entry: varint32 length, key, varint32 length, value.
inline std::string_view internal_key(const char* entry) {
  auto p = reinterpret_cast<const unsigned char*>(entry);
  std::uint32_t n = *p++;
  if (n >= 0x80) {
    n &= 0x7f;
    for (int shift = 7;; shift += 7) {
      const std::uint32_t b = *p++;
      n |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
  }
  return {reinterpret_cast<const char*>(p), n};
}

constexpr std::size_t trailer_bytes = 8;  // sequence and type, after the user key

inline std::string_view user_key(std::string_view internal) {
  return internal.substr(0, internal.size() - trailer_bytes);
}

inline std::uint64_t load_little_endian(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return __builtin_bswap64(v);
#else
  return v;
#endif
}

// InternalKeyComparator's order over bytewise user keys: the user key
// ascending, then the newer entry (larger sequence and type) first.
inline int compare_internal(std::string_view a, std::string_view b) {
  const int c = compare_bytewise(user_key(a), user_key(b));
  if (c != 0) return c;
  const std::uint64_t x = load_little_endian(a.data() + a.size() - trailer_bytes);
  const std::uint64_t y = load_little_endian(b.data() + b.size() - trailer_bytes);
  return x > y ? -1 : x < y ? 1 : 0;
}

// Room for entries, cut from chunks the memtable's arena gives. The
// arena's AllocateAligned picks a per-core shard and takes a spin lock on
// every call (≈ 150 instructions per insert, on the committer); one writer
// at a time allocates here (allow_concurrent_memtable_write = false), so a
// chunk needs neither. The memtable counts what its arena gave, so it sees
// a chunk's bytes when the chunk is taken: at most one chunk before they
// are used.
class arena_chunks {
 public:
  char* carve(rocksdb::Allocator& arena, std::size_t bytes, std::size_t align) {
    bytes = (bytes + align - 1) & ~(align - 1);
    if (bytes > chunk_bytes / 4) return arena.AllocateAligned(bytes);
    if (static_cast<std::size_t>(end_ - next_) < bytes) {
      next_ = arena.AllocateAligned(chunk_bytes);
      end_ = next_ + chunk_bytes;
    }
    char* at = next_;
    next_ += bytes;
    return at;
  }

 private:
  static constexpr std::size_t chunk_bytes = 64u << 10;
  char* next_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace herald::storage::memtable_entry
