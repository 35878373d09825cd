#include <caf/all.hpp>

#include "actors/provider_actor.hpp"
#include "domain/sha256.hpp"

namespace herald::actors {
namespace {

// A stable fraction in [0, 1) for an attempt id: the same attempt always
// succeeds or fails the same way, so tests and demos are reproducible.
double stable_fraction(const std::string& id) {
  const domain::sha256_digest digest = domain::sha256(id);
  std::uint32_t v = (std::uint32_t{digest[0]} << 24) | (std::uint32_t{digest[1]} << 16) |
                    (std::uint32_t{digest[2]} << 8) | digest[3];
  return v / 4294967296.0;
}

}  // namespace

provider_actor spawn_sandbox_provider(caf::actor_system& system, double failure_ratio,
                                      std::function<std::int64_t()> clock_ms) {
  return system.spawn([failure_ratio, clock_ms]() -> provider_actor::behavior_type {
    return {
        [failure_ratio, clock_ms](dispatch_atom, const dispatch_request_ptr& request) -> dispatch_outcome {
          const dispatch_request& req = *request;
          dispatch_outcome out;
          out.provider_message_id = "sandbox-" + req.attempt.id;
          const std::int64_t now = clock_ms();
          // A fraction is below a ratio of 0 never: no hash needed (the default).
          if (failure_ratio > 0 && stable_fraction(req.attempt.id) < failure_ratio) {
            const bool email = req.attempt.channel == "email";
            out.statuses.push_back({email ? "bounced" : "failed",
                                    "sandbox: simulated delivery failure", now});
          } else {
            out.statuses.push_back({"sent", "", now});
            out.statuses.push_back({req.attempt.channel == "post" ? "sent" : "delivered", "", now});
            if (out.statuses.back().status == out.statuses.front().status) {
              out.statuses.pop_back();
            }
          }
          return out;
        },
        [](health_atom) { return provider_health{}; },
        [](wake_atom) {},
    };
  });
}

}  // namespace herald::actors
