#include <iostream>

#include "adapters/cli/commands.hpp"
#include "adapters/cli/log_range.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::adapters {

int run_export(const std::string& data_dir, const log_range& range) {
  auto filter = to_scan_filter(range);
  if (!filter) {
    std::cerr << "herald export: " << filter.error().message() << "\n";
    return 2;
  }
  storage::store_options options;
  options.path = data_dir;
  options.read_only = true;
  auto store = storage::rocksdb_event_store::open(options);
  if (!store) {
    std::cerr << "herald export: " << store.error().message() << "\n";
    return 1;
  }
  std::ios::sync_with_stdio(false);
  auto st = (*store)->scan(*filter, [](const storage::stored_event& e) {
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
