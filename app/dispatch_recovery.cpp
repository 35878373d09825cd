#include "app/dispatch_recovery.hpp"

#include <string>
#include <vector>

#include <caf/all.hpp>

namespace herald::app {

result<std::vector<leftover_attempt>> find_leftover_attempts(const storage::rocksdb_event_store& store) {
  std::vector<leftover_attempt> found;
  auto st = store.scan_queued_attempts([&](const std::string& id, const std::string& owner, bool started) {
    found.push_back({id, owner, started});
    return true;
  });
  if (!st) return st;
  return found;
}

recovered_dispatches settle_leftovers(const std::vector<leftover_attempt>& leftovers,
                                      const actors::ingest_router_actor& router, std::int64_t now_ms) {
  recovered_dispatches out;
  for (const auto& a : leftovers) {
    if (a.owner.empty()) continue;
    if (a.call_started) {
      actors::dispatch_outcome unknown;
      unknown.statuses.push_back({"unknown",
                                  "a provider call was under way when Herald stopped; whether the provider "
                                  "accepted it is unknown (a provider report or an operator settles it)",
                                  now_ms});
      caf::anon_send(router, actors::status_atom_v, a.owner, a.id, unknown);
      ++out.unknown;
    } else {
      caf::anon_send(router, actors::operate_atom_v, a.owner, actors::operation{"redispatch", a.id, "herald (restart)", ""});
      ++out.redispatched;
    }
  }
  return out;
}

}  // namespace herald::app
