#pragma once
// A provider reached over the network (SendGrid, Twilio, SMTP, ...): one actor per
// configured provider, answering the provider_actor interface. It accepts an
// attempt at once (an empty outcome: still queued) and reports what became
// of it through `report`, as webhooks do.
//
// Calls go through a curl_multi_client, never blocking a scheduler thread;
// at most `max_in_flight` at once, the rest wait in order. Timeouts,
// connection errors, 429 and 5xx are retried with exponential backoff and
// full jitter (Retry-After honoured) for as long as it takes: an outage
// loses nothing. Each retry is reported (a "retrying" timeline entry). Any
// other 4xx rejects the attempt with the provider's reason. A circuit
// breaker opens after `breaker_failures` failures in a row, holds every
// call for `breaker_open_ms`, then lets one probe through: its success
// closes it, its failure opens it again. With `rate_per_s`, calls start no
// faster than that (a token bucket holding one second's worth).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/backlog_gauge.hpp"
#include "actors/provider_actor.hpp"
#include "adapters/providers/curl_multi_client.hpp"
#include "domain/status.hpp"

namespace herald::actors {

// What a provider said, in the terms of the retry policy.
struct call_verdict {
  enum class kind { accepted, rejected, retry } what = kind::retry;
  std::string provider_message_id;  // accepted
  std::string reason;               // rejected / retry: the provider's words
  std::int64_t retry_after_ms = 0;  // retry: the provider's Retry-After, 0 if none
};

// Records durably that calls for these attempts are about to start, then
// calls `done(ok)` (from any thread).
using mark_started_fn = std::function<void(std::vector<std::string> attempt_ids, std::function<void(bool ok)> done)>;

struct http_provider_config {
  std::string name;  // "sendgrid", "twilio": on every attempt and log line
  // The request for an attempt, or an error that makes it unsendable
  // (reported as not_sent / invalid_contact, nothing is called).
  std::function<result<adapters::providers::outbound_request>(const dispatch_request&)> build;
  // Reads a 2xx answer: accepted with the message id, or rejected.
  std::function<call_verdict(const adapters::providers::outbound_response&)> read_success;
  // The provider's reason from an error answer's body.
  std::function<std::string(const adapters::providers::outbound_response&)> read_error;
  // Replaces the HTTP reading of answers altogether (SMTP: 2xx accepted,
  // 5xx rejected, 4xx and no answer retried).
  std::function<call_verdict(const adapters::providers::outbound_response&)> classify;
  std::shared_ptr<adapters::providers::curl_multi_client> client;
  // Sends a later outcome to the entity that owns the attempt.
  std::function<void(const std::string& owner, const std::string& attempt_id, const dispatch_outcome&)> report;
  std::function<std::int64_t()> clock_ms;
  std::size_t max_in_flight = 64;
  std::int64_t timeout_ms = 10000;  // per call
  std::int64_t backoff_base_ms = 500;
  std::int64_t backoff_max_ms = 60000;
  int breaker_failures = 5;
  std::int64_t breaker_open_ms = 5000;
  double rate_per_s = 0;  // calls started per second at most; 0: no limit
  // A first call waits for its start to be recorded, so a restart knows
  // which attempts may have reached the provider: those get the outcome
  // `unknown`, never a second call. Empty: no record (tests).
  mark_started_fn mark_started;
  // Where this provider adds its waiting and in-flight attempts (backpressure); may be null.
  std::shared_ptr<backlog_gauge> backlog;
  // Backoff and the breaker's pause on `clock_ms` (a virtual engine clock):
  // what falls due is released by a (wake_atom) sent after time moves.
  bool virtual_time = false;
};

// Reads an HTTP answer into a verdict by the retry policy above.
call_verdict judge(const http_provider_config& config, const adapters::providers::outbound_response& response);

provider_actor spawn_http_provider(caf::actor_system& system, http_provider_config config);

}  // namespace herald::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::adapters::providers::outbound_response)
