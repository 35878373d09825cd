#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <boost/json.hpp>

#include "adapters/cli/commands.hpp"
#include "adapters/cli/log_range.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::adapters {

int run_replay(const std::string& data_dir, const log_range& range) {
  auto filter = to_scan_filter(range);
  if (!filter) {
    std::cerr << "herald replay: " << filter.error().message() << "\n";
    return 2;
  }
  storage::store_options options;
  options.path = data_dir;
  auto store = storage::rocksdb_event_store::open(options);
  if (!store) {
    std::cerr << "herald replay: " << store.error().message() << "\n";
    return 1;
  }
  const bool terminal = isatty(STDERR_FILENO) != 0;
  storage::replay_options replay;
  replay.filter = *filter;
  replay.progress = [terminal](std::uint64_t applied, std::uint64_t seq, std::uint64_t last) {
    if (terminal) {
      std::fprintf(stderr, "\rreplayed %llu events (seq %llu of %llu)",
                   static_cast<unsigned long long>(applied), static_cast<unsigned long long>(seq),
                   static_cast<unsigned long long>(last));
      std::fflush(stderr);
    }
  };
  std::uint64_t applied = 0;
  auto counting = replay.progress;
  replay.progress = [&](std::uint64_t a, std::uint64_t s, std::uint64_t l) {
    applied = a;
    counting(a, s, l);
  };
  auto st = (*store)->rebuild_projections(replay);
  if (terminal) {
    std::fprintf(stderr, "\n");
  }
  if (!st) {
    std::cerr << "herald replay: " << st.message() << "\n";
    return 1;
  }
  std::cout << boost::json::serialize(boost::json::object{
                   {"replayed", applied}, {"last_seq", (*store)->last_seq()}})
            << "\n";
  return 0;
}

}  // namespace herald::adapters
