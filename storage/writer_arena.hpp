#pragma once
// The store's two writer threads allocate in bulk: the committer RocksDB's
// memtables (about 5 KB per communication, tens of MB a second, freed a few
// seconds later when the memtable is flushed), the sequencer the group
// commits' batches (MBs each). jemalloc's default purge (dirty pages back to
// the OS within a second, app/malloc_settings.cpp) returned that memory just
// before it was needed again, so it was faulted in and zeroed anew (on this
// paravirtualised VM a fresh page costs far more than its zeroing), and each
// purge interrupted the other core to flush its TLB. Measured under load:
// the sequencer spent 16 % of its time zeroing pages, the committer 7 %;
// with an arena of their own, none and about 5 % (README, Performance).
// An arena of its own per thread keeps freed pages for reuse:
// memtables, bounded by the memtable budget, and batches cycle through the
// same memory.

#include <cstdint>

namespace herald::storage {

// How long the writer's arena keeps a freed page before giving it back:
// longer than a memtable lives under load, short enough that an idle node
// shrinks.
constexpr std::int64_t writer_arena_decay_ms = 30000;

// Moves the calling thread's allocations to a jemalloc arena of its own that
// keeps freed pages for `decay_ms`. Returns the arena's index, or -1 when the
// program does not run on jemalloc (sanitizer builds, tests) or jemalloc
// refused: the thread then keeps its arena, nothing else changes.
int use_own_arena_on_this_thread(std::int64_t decay_ms = writer_arena_decay_ms);

}  // namespace herald::storage
