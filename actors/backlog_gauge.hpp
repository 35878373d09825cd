#pragma once
// How far behind the engine is, for backpressure: events accepted but not
// yet handled by their entity, and attempts waiting for (or in) a provider
// call. Ingest answers 503 with Retry-After while their sum is above
// http.max_backlog, so memory stays bounded when providers are slower than
// the input. Updated with relaxed atomics from the router and providers.

#include <atomic>
#include <cstdint>

namespace herald::actors {

struct backlog_gauge {
  std::atomic<std::int64_t> events{0};  // routed (or on their way) and not yet handled
  std::atomic<std::int64_t> calls{0};   // attempts at providers, waiting or in flight
};

}  // namespace herald::actors
