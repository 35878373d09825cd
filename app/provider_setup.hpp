#pragma once
// Spawns the real providers the config's "channels" name (SPEC §10):
// "sendgrid" for email, "twilio" for SMS. A channel naming "sandbox" (the
// default) or nothing keeps the sandbox. A channel naming a provider with no
// settings, or one Herald cannot reach yet, is a start-up error.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "actors/engine_context.hpp"
#include "actors/http_provider_actor.hpp"
#include "actors/provider_actor.hpp"
#include "adapters/providers/curl_multi_client.hpp"
#include "domain/config.hpp"
#include "domain/status.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::app {

using report_fn =
    std::function<void(const std::string& owner, const std::string& attempt_id, const actors::dispatch_outcome&)>;

// Records provider calls starting in the store's calls_started records.
actors::mark_started_fn mark_in_store(storage::rocksdb_event_store& store);

struct provider_set {
  std::map<std::string, actors::engine_context::provider_entry> by_channel;
  std::shared_ptr<adapters::providers::curl_multi_client> client;  // shared by all providers
};

// With `virtual_time` (--time-skipping), backoff and breaker pauses run on
// `clock_ms` and are released by a wake after each time skip.
result<provider_set> spawn_providers(caf::actor_system& system, const domain::herald_config& config,
                                     std::function<std::int64_t()> clock_ms, report_fn report,
                                     bool virtual_time, actors::mark_started_fn mark_started,
                                     std::shared_ptr<actors::backlog_gauge> backlog = nullptr);

// Returns the provider settings of `name` ("sendgrid"), or an empty object.
const boost::json::object& provider_settings(const domain::herald_config& config, const std::string& name);

}  // namespace herald::app
