#include "storage/writer_arena.hpp"

#include <string>
#include <sys/types.h>

// jemalloc's control interface, when the program is linked with jemalloc
// (herald and the benchmarks are); null otherwise.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp, std::size_t newlen)
    __attribute__((weak));

namespace herald::storage {

int create_arena(std::int64_t decay_ms) {
  if (mallctl == nullptr) return -1;
  unsigned arena = 0;
  std::size_t size = sizeof(arena);
  if (mallctl("arenas.create", &arena, &size, nullptr, 0) != 0) return -1;
  ssize_t decay = static_cast<ssize_t>(decay_ms);
  const std::string decay_name = "arena." + std::to_string(arena) + ".dirty_decay_ms";
  if (mallctl(decay_name.c_str(), nullptr, nullptr, &decay, sizeof(decay)) != 0) return -1;
  return static_cast<int>(arena);
}

bool use_arena_on_this_thread(int arena) {
  if (mallctl == nullptr || arena < 0) return false;
  unsigned index = static_cast<unsigned>(arena);
  return mallctl("thread.arena", nullptr, nullptr, &index, sizeof(index)) == 0;
}

int writer_arena() {
  // One for the process: every store opened (tests open hundreds) shares it,
  // rather than each leaving two arenas behind.
  static const int arena = create_arena(writer_arena_decay_ms);
  return arena;
}

}  // namespace herald::storage
