#include <iostream>

#include "adapters/cli/commands.hpp"
#include "adapters/cli/log_range.hpp"

namespace herald::adapters {

int run_export(const std::string& data_dir, const log_range& range) {
  auto cmd = open_range_command("export", data_dir, range, /*read_only=*/true);
  if (cmd.exit_code != 0) {
    return cmd.exit_code;
  }
  std::ios::sync_with_stdio(false);
  auto st = cmd.store->scan(cmd.filter, [](const storage::stored_event& e) {
    std::cout << domain::to_json_text(e.event) << '\n';
    return static_cast<bool>(std::cout);
  });
  std::cout.flush();
  if (!st) {
    std::cerr << "herald export: " << st.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace herald::adapters
