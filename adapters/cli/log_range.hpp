#pragma once
// Turns the CLI's --from-seq/--to-seq/--since/--until/--entity into a
// storage scan filter, validating each flag, and opens the data folder for
// the commands that read the log by range (replay, export).

#include <memory>

#include "adapters/cli/commands.hpp"
#include "domain/status.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::adapters {

result<storage::scan_filter> to_scan_filter(const log_range& range);

struct range_command {
  storage::scan_filter filter;
  std::unique_ptr<storage::rocksdb_event_store> store;
  int exit_code = 0;  // non-zero when the flags or the folder were refused
};

// Returns the filter and the open store; on failure prints
// "herald COMMAND: reason" to stderr and sets exit_code (2 for a bad flag,
// 1 for a folder that cannot be opened).
range_command open_range_command(const char* command, const std::string& data_dir,
                                 const log_range& range, bool read_only);

}  // namespace herald::adapters
