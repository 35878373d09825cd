#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

#include "storage/writer_arena.hpp"
#include "tests/support/temp_dir.hpp"

// storage_tests run on jemalloc, as herald does; sanitizer builds do not.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp, std::size_t newlen)
    __attribute__((weak));

namespace {

// 0 when jemalloc answered; `value` is left as it was otherwise.
template <class T>
int read_ctl_into(const std::string& name, T& value) {
  std::size_t size = sizeof(value);
  return mallctl(name.c_str(), &value, &size, nullptr, 0);
}

template <class T>
T read_ctl(const std::string& name) {
  T value{};
  REQUIRE(read_ctl_into(name, value) == 0);
  return value;
}

// What a thread that moved to `arena` saw: its arena, and the pages that
// arena still held after the thread freed 8 MiB (in 1 MiB blocks, as
// memtables allocate; 8 MiB at once would go to jemalloc's arena for
// oversized blocks) and jemalloc purged whatever its decay allows. Other
// stores' writers may have left more there: these 8 MiB at least must be held.
// The thread only records: Catch's assertions belong on the test's thread.
struct arena_seen {
  int arena = -1;
  unsigned thread_arena = 0;
  int ctl_failures = 0;  // jemalloc calls that did not answer 0
  std::size_t dirty_pages = 0;
};

arena_seen free_on_arena(int arena) {
  arena_seen seen;
  std::thread([&] {
    if (!herald::storage::use_arena_on_this_thread(arena)) return;
    seen.arena = arena;
    seen.ctl_failures += read_ctl_into("thread.arena", seen.thread_arena) != 0;
    constexpr std::size_t block_bytes = 1u << 20;
    std::vector<char*> blocks;
    for (int i = 0; i < 8; ++i) {
      blocks.push_back(new char[block_bytes]);
      std::memset(blocks.back(), 1, block_bytes);  // resident, as a filled memtable is
    }
    for (char* block : blocks) delete[] block;
    const std::string decay = "arena." + std::to_string(seen.arena) + ".decay";
    seen.ctl_failures += mallctl(decay.c_str(), nullptr, nullptr, nullptr, 0) != 0;
    std::uint64_t epoch = 1;
    seen.ctl_failures += mallctl("epoch", nullptr, nullptr, &epoch, sizeof(epoch)) != 0;
    seen.ctl_failures +=
        read_ctl_into("stats.arenas." + std::to_string(seen.arena) + ".pdirty", seen.dirty_pages) != 0;
  }).join();
  return seen;
}

}  // namespace

TEST_CASE("the store's writer threads keep the memory they free for their next memtables and batches",
          "[storage][allocator]") {
  if (mallctl == nullptr) {
    herald::test::report_skipped("not linked with jemalloc (sanitizer build)");
    return;
  }
  const std::size_t page = read_ctl<std::size_t>("arenas.page");
  const int writers = herald::storage::writer_arena();
  REQUIRE(writers >= 0);
  CHECK(herald::storage::writer_arena() == writers);  // one for the process, however many stores
  const auto kept = free_on_arena(writers);
  REQUIRE(kept.arena == writers);
  REQUIRE(kept.ctl_failures == 0);
  CHECK(kept.thread_arena == static_cast<unsigned>(kept.arena));
  CHECK(read_ctl<ssize_t>("arena." + std::to_string(kept.arena) + ".dirty_decay_ms") ==
        herald::storage::writer_arena_decay_ms);
  CHECK(kept.dirty_pages * page >= (8u << 20));
  // The same with no decay gives every page back at once: the check above
  // sees what the arena's setting does, not jemalloc's bookkeeping.
  const auto returned = free_on_arena(herald::storage::create_arena(0));
  REQUIRE(returned.arena >= 0);
  REQUIRE(returned.ctl_failures == 0);
  CHECK(returned.arena != kept.arena);
  CHECK(returned.dirty_pages * page < (1u << 20));
}
