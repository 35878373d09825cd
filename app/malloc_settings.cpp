// jemalloc's settings, read at its start-up:
//  - freed memory goes back to the OS within a second, from a background
//    thread, so a node that passivated many entity actors shrinks again.
//    (Ten seconds saved 5 % CPU under load, but with huge pages its larger
//    purges stalled the workers: p99 at 5,000 events/s 60-75 ms instead of
//    16-30; bench/HISTORY.md, session 7). The store's writer threads are the
//    exception: their arena keeps freed pages for 30 s, since memtables
//    and batches need them again at once (storage/writer_arena.hpp);
//  - its memory is mapped with transparent huge pages (MADV_HUGEPAGE): the
//    heap and RocksDB's memtables grow by kilobytes per communication, and
//    on a paravirtualised VM each 4 KiB first-touch fault costs micro-
//    seconds; huge pages cut the faults tenfold (bench/HISTORY.md, session 7).
// MALLOC_CONF overrides any of them, e.g. MALLOC_CONF=thp:never (not the
// writer arena's decay, which is set when that arena is created).
extern "C" {
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,thp:always";
}
