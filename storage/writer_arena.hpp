#pragma once
// The store's two writer threads allocate in bulk: the committer RocksDB's
// memtables (about 5 KB per communication, tens of MB a second, freed a few
// seconds later when the memtable is flushed), the sequencer the group
// commits' batches (MBs each). jemalloc's default purge then (dirty pages
// back to the OS within a second) returned that memory just before it was
// needed again, so it was faulted in and zeroed anew (on this
// paravirtualised VM a fresh page costs far more than its zeroing), and each
// purge interrupted the other core to flush its TLB. Measured under load:
// the sequencer spent 16 % of its time zeroing pages, the committer 7 %;
// with an arena of their own, none and about 5 % (bench/HISTORY.md, session 8).
// An arena of their own keeps freed pages for reuse:
// memtables, bounded by the memtable budget, and batches cycle through the
// same memory. Since session 19 the default decay is 30 s as well
// (app/malloc_settings.cpp); this arena keeps its own, so an operator who
// shortens the default with MALLOC_CONF does not shorten the writers'.

#include <cstdint>

namespace herald::storage {

// How long the writer's arena keeps a freed page before giving it back:
// longer than a memtable lives under load, short enough that an idle node
// shrinks.
constexpr std::int64_t writer_arena_decay_ms = 30000;

// Creates a jemalloc arena that keeps a freed page for `decay_ms` before
// giving it back. Returns its index, or -1 when the program does not run on
// jemalloc (sanitizer builds, most tests) or jemalloc refused.
int create_arena(std::int64_t decay_ms);

// Moves the calling thread's allocations to `arena`; false (and the thread
// keeps its arena, nothing else changes) when there is none or jemalloc
// refused.
bool use_arena_on_this_thread(int arena);

// The arena the store's writer threads share, created on first use with
// writer_arena_decay_ms; -1 without jemalloc.
int writer_arena();

}  // namespace herald::storage
