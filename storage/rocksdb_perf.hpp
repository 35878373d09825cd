#pragma once
// RocksDB counts every key comparison and read in a thread-local perf
// context unless told not to (its default level counts). For the threads
// that make most of them — the store's sequencer and committer, the actor
// workers that read views and histories — that counting was ≈ 3 % of the
// CPU (bench/pipeline_bench).

namespace herald::storage {

// Turns the counting off for the calling thread.
void skip_rocksdb_perf_counts_on_this_thread();

// Whether the calling thread counts (for tests).
bool rocksdb_perf_counts_on_this_thread();

}  // namespace herald::storage
