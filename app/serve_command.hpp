#pragma once
// `herald serve`: wires the event store, the actor system and the HTTP API,
// runs until SIGINT or SIGTERM, then stops them in reverse order.

#include "domain/config.hpp"

namespace herald::app {

struct serve_options {
  // Run the engine on a virtual clock and expose POST /v1/admin/time.
  bool time_skipping = false;
  // A directory of definitions and events to load at start (directory_loader.hpp).
  std::string load_dir;
  // The page's files; empty: none served.
  std::string web_dir;
  // Expose PUT /v1/admin/faults, which makes the store's disk writes fail
  // (for fault-injection tests; never in production).
  bool fault_injection = false;
};

// Returns the exit code: 0 after a clean shutdown, 1 when a component could
// not start (the reason is printed), 2 for a configuration refused at start.
int run_serve(const domain::herald_config& config, const serve_options& options = {});

}  // namespace herald::app
