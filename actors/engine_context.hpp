#pragma once
// What entity actors need to run workflows, shared by all of them on a
// node: the store (reads and engine appends), the definitions in force, the
// clock, the organisation's calendar and roles, and the handles of the
// scheduler and the providers. Filled in once at start-up, before the first
// event is routed; read-only afterwards.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/definition_registry.hpp"
#include "actors/engine_clock.hpp"
#include "actors/provider_actor.hpp"
#include "actors/scheduler_actor.hpp"
#include "domain/business_calendar.hpp"

namespace herald::storage {
class rocksdb_event_store;
}

namespace herald::actors {

struct engine_context {
  storage::rocksdb_event_store* store = nullptr;
  definition_registry* definitions = nullptr;
  engine_clock* clock = nullptr;
  std::optional<domain::business_calendar> calendar;
  std::map<std::string, std::vector<std::string>> roles;  // role -> entity keys
  std::uint32_t attachments_days = 28;                    // resends carry attachments this long
  scheduler_actor scheduler;
  // Each channel's provider (config "channels"); a channel without one uses
  // the default provider, the sandbox unless configured otherwise.
  struct provider_entry {
    std::string name;
    provider_actor handle;
    std::string from;  // the configured sender ("Name <address>", a number), for attempts
  };
  std::map<std::string, provider_entry> channel_providers;
  provider_actor provider;
  std::string provider_name = "sandbox";

  const provider_actor& provider_for(const std::string& channel) const {
    auto it = channel_providers.find(channel);
    return it == channel_providers.end() ? provider : it->second.handle;
  }
  std::string sender_for(const std::string& channel) const {
    auto it = channel_providers.find(channel);
    return it == channel_providers.end() ? std::string() : it->second.from;
  }
  const std::string& provider_name_for(const std::string& channel) const {
    auto it = channel_providers.find(channel);
    return it == channel_providers.end() ? provider_name : it->second.name;
  }
};

}  // namespace herald::actors
