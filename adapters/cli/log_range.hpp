#pragma once
// Turns the CLI's --from-seq/--to-seq/--since/--until/--entity into a
// storage scan filter, validating each flag.

#include "adapters/cli/commands.hpp"
#include "domain/status.hpp"
#include "storage/event_store.hpp"

namespace herald::adapters {

result<storage::scan_filter> to_scan_filter(const log_range& range);

}  // namespace herald::adapters
