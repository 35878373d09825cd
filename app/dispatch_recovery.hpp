#pragma once
// After a stop (a crash, kill -9), the attempts still `queued` in the store
// are settled before new work: an attempt whose provider call had not
// started is handed to its provider again; one whose call had started
// (storage: calls_started) may or may not have reached the provider, so it
// gets the outcome `unknown` and is never called twice. A provider report
// naming it later (SendGrid's custom_args, Twilio's callback URL) or an
// operator (POST /v1/log/{id}/reconcile) settles it.

#include <cstdint>
#include <string>
#include <vector>

#include "actors/ingest_router_actor.hpp"
#include "domain/status.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::app {

struct recovered_dispatches {
  std::uint64_t redispatched = 0;  // no call had started: handed over again
  std::uint64_t unknown = 0;       // a call had started: outcome unknown
};

struct leftover_attempt {
  std::string id, owner;
  bool call_started = false;
};

// Reads the attempts a stop left queued. Call it before anything can
// dispatch (before the scheduler fires overdue timers), so that every
// attempt it returns is a leftover and none is handed over twice.
result<std::vector<leftover_attempt>> find_leftover_attempts(const storage::rocksdb_event_store& store);

// Tells each leftover's owner, through the router, what to do with it.
recovered_dispatches settle_leftovers(const std::vector<leftover_attempt>& leftovers,
                                      const actors::ingest_router_actor& router, std::int64_t now_ms);

}  // namespace herald::app
