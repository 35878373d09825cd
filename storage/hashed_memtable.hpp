#pragma once
// The memtable of the families whose keys are hashes and which are read
// by key (attempts, attempt_content, communications, queued_attempts):
// entries in hash buckets instead of one skip list.
//
// An attempt or communication id is a hash, so each of a group's keys
// lands somewhere new in a skip list of some hundred thousand entries:
// measured with the CPU's cycle counter around each insert (100,000
// communications), ≈ 2,900 cycles per insert in those four families
// against 40 – 160 in the others, whose keys follow time or entity — cache
// misses down the list's levels, six inserts per communication on the
// committer's thread. In a bucket an insert is a hash, the bucket's head
// and the one or two entries already there.
//
// Lookups by key (Get, Contains) search one bucket, kept in internal-key
// order so a key's versions are adjacent, newest first. An iterator (a
// flush, a scan of the family) sorts a snapshot of the entries when it is
// made; entries written after it are not in it, which only entries of
// later sequence numbers can be, and those no iterator over the memtable
// made earlier may show. One thread inserts (the store sets
// allow_concurrent_memtable_write = false), any number read without locks.
//
// Only for families ordered by bytewise_comparator() (memtable_entry.hpp).

#include <cstddef>
#include <memory>

#include <rocksdb/memtablerep.h>

namespace herald::storage {

// `buckets`: rounded up to a power of two; each costs 8 bytes of the
// memtable's arena once the memtable takes its first entry.
std::shared_ptr<rocksdb::MemTableRepFactory> hashed_memtable_factory(std::size_t buckets);

// Buckets for a memtable of `memtable_bytes`: one per 256 bytes, so a
// full memtable of these families' ≈ 100-byte entries keeps two or three
// entries a bucket.
std::size_t hashed_memtable_buckets(std::size_t memtable_bytes);

}  // namespace herald::storage
