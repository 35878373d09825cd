#pragma once
// The interface every provider actor answers (one actor per configured
// provider): dispatch one attempt, answer with what the provider said. The
// entity actor that owns the attempt records the outcome. Providers that
// call out over the network answer at once with an empty outcome and
// report later, as webhooks do, through the router (status_atom) to the
// owning entity.
//
//   (dispatch_atom, dispatch_request_ptr) -> dispatch_outcome
//   (health_atom) -> provider_health       the breaker, the queue
//   (wake_atom)                            the engine clock moved

#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "domain/communication.hpp"
#include "domain/metrics_text.hpp"

namespace herald::actors {

struct dispatch_request {
  domain::attempt_view attempt;
  std::string content_json;  // {"subject","html","text","attachments"}
  std::string owner;         // the entity whose actor owns the attempt
};

// Shared, not copied: the entity actor keeps it for the answer while the
// provider reads it, and its content may be large.
using dispatch_request_ptr = std::shared_ptr<const dispatch_request>;

struct dispatch_outcome {
  std::string provider_message_id;
  // In order; empty: still queued. Delivery statuses move the attempt
  // forward only (domain::status_supersedes); other entries (retrying,
  // deferred, opened, ...) go on its timeline.
  std::vector<domain::status_change> statuses;
};

struct provider_health {
  std::string breaker = "closed";  // closed | open | probing
  std::uint64_t waiting = 0;       // attempts queued for a call
  std::uint64_t in_flight = 0;     // calls under way
  std::uint64_t failures_in_a_row = 0;
  domain::histogram call_seconds = domain::histogram::seconds();  // every answered call
};

using provider_actor =
    caf::typed_actor<caf::replies_to<dispatch_atom, dispatch_request_ptr>::with<dispatch_outcome>,
                     caf::replies_to<health_atom>::with<provider_health>,
                     caf::reacts_to<wake_atom>>;  // time moved (virtual clock): retry what is due

// The sandbox provider (the default for every channel): simulated delivery,
// queued -> sent -> delivered, or failed for a share `failure_ratio` of
// attempts chosen by a hash of the attempt id (reproducible).
provider_actor spawn_sandbox_provider(caf::actor_system& system, double failure_ratio,
                                      std::function<std::int64_t()> clock_ms);

}  // namespace herald::actors

// Local-only messages: providers run on the node of the entity they serve.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::dispatch_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::dispatch_request_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::dispatch_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::actors::provider_health)
