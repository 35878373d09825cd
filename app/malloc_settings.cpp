// jemalloc's settings, read at its start-up: freed memory goes back to the
// OS within a second, from a background thread, so a node that passivated
// many entity actors shrinks again (README, Performance).
extern "C" {
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
