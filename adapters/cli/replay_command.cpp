#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <boost/json.hpp>

#include "adapters/cli/commands.hpp"
#include "adapters/cli/log_range.hpp"

namespace herald::adapters {

int run_replay(const std::string& data_dir, const log_range& range) {
  auto cmd = open_range_command("replay", data_dir, range, /*read_only=*/false);
  if (cmd.exit_code != 0) {
    return cmd.exit_code;
  }
  const bool terminal = isatty(STDERR_FILENO) != 0;
  storage::replay_options replay;
  replay.filter = cmd.filter;
  std::uint64_t applied = 0;
  replay.progress = [&](std::uint64_t done, std::uint64_t seq, std::uint64_t last) {
    applied = done;
    if (terminal) {
      std::fprintf(stderr, "\rreplayed %llu events (seq %llu of %llu)",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(seq),
                   static_cast<unsigned long long>(last));
      std::fflush(stderr);
    }
  };
  auto st = cmd.store->rebuild_projections(replay);
  if (terminal) {
    std::fprintf(stderr, "\n");
  }
  if (!st) {
    std::cerr << "herald replay: " << st.message() << "\n";
    return 1;
  }
  std::cout << boost::json::serialize(boost::json::object{
                   {"replayed", applied}, {"last_seq", cmd.store->last_seq()}})
            << "\n";
  return 0;
}

}  // namespace herald::adapters
