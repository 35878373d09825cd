// jemalloc's settings, read at its start-up:
//  - freed memory goes back to the OS 30 seconds after it was freed, from
//    a background thread, so a node that passivated many entity actors
//    shrinks again. Not sooner: a server under load frees actors in bulk
//    at each periodic sweep (every passivate_after_ms / 2, 30 s by default)
//    and allocates as many again before the next one. Returned within a
//    second, that memory was faulted in and zeroed anew (on this
//    paravirtualised VM a fresh page costs far more than its zeroing) and
//    every purge interrupted the other core to flush its TLB: after one
//    sweep of 100,000 actors the next 100,000 communications cost 135 µs of
//    CPU each instead of 69, restoring passivated entities 130 µs instead
//    of 99 (bench/HISTORY.md, session 19). The store's writer threads keep
//    their freed pages 30 s too, in an arena of their own
//    (storage/writer_arena.hpp);
//  - its memory is mapped with transparent huge pages (MADV_HUGEPAGE): the
//    heap and RocksDB's memtables grow by kilobytes per communication, and
//    on a paravirtualised VM each 4 KiB first-touch fault costs micro-
//    seconds; huge pages cut the faults tenfold (bench/HISTORY.md, session 7).
// MALLOC_CONF overrides any of them, e.g. MALLOC_CONF=thp:never (not the
// writer arena's decay, which is set when that arena is created).
extern "C" {
const char* malloc_conf = "background_thread:true,dirty_decay_ms:30000,muzzy_decay_ms:0,thp:always";
}
