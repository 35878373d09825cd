// jemalloc's settings, read at its start-up:
//  - freed memory goes back to the OS within ten seconds, from a background
//    thread, so a node that passivated many entity actors shrinks again.
//    Not sooner: under load, memory freed and needed again within seconds
//    (a flushed memtable, a group's batch) would be purged and faulted in
//    again, and each purge flushes TLBs on every core (README, Performance);
//  - its memory is mapped with transparent huge pages (MADV_HUGEPAGE): the
//    heap and RocksDB's memtables grow by kilobytes per communication, and
//    on a paravirtualised VM each 4 KiB first-touch fault costs micro-
//    seconds; huge pages cut the faults tenfold (README, Performance).
// MALLOC_CONF overrides any of them, e.g. MALLOC_CONF=thp:never.
extern "C" {
const char* malloc_conf = "background_thread:true,dirty_decay_ms:10000,muzzy_decay_ms:0,thp:always";
}
