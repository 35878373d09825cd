#include "actors/http_provider_actor.hpp"

#include <deque>
#include <map>
#include <random>

#include <caf/all.hpp>

namespace herald::actors {
namespace {

using adapters::providers::outbound_response;

using call_done_actor = caf::typed_actor<caf::reacts_to<call_done_atom, dispatch_request, int, outbound_response>>;

struct queued_call {
  dispatch_request request;
  int tries = 0;  // calls already made
};

struct provider_state {
  http_provider_config config;
  std::deque<queued_call> waiting;
  std::size_t in_flight = 0;  // calls under way, and first calls whose start is being recorded
  // First calls waiting for their start to be recorded (mark_started): the
  // batch being written, and the next one gathering meanwhile.
  std::vector<queued_call> marking, to_mark;
  std::uint64_t mark_batch = 0;
  std::int64_t published = 0;  // what this actor last added to config.backlog->calls
  int failures_in_a_row = 0;
  bool open = false;          // the breaker holds every call
  bool probing = false;       // one call is testing a provider that failed
  bool wake_scheduled = false;
  // Rate limit: tokens refill at rate_per_s, up to one second's worth.
  double tokens = 0;
  std::chrono::steady_clock::time_point refilled = std::chrono::steady_clock::now();
  bool rate_wake_scheduled = false;
  domain::histogram call_seconds = domain::histogram::seconds();
  // Virtual time (config.virtual_time): retries and the breaker's probe wait
  // here for their due time on the engine clock, released by a wake.
  std::multimap<std::int64_t, queued_call> later;
  std::int64_t probe_at = 0;
  std::mt19937_64 random{std::random_device{}()};
  static inline const char* name = "herald.http_provider";
};

using provider_pointer = caf::stateful_actor<provider_state>*;

std::int64_t parse_retry_after_ms(const std::string& value) {
  if (value.empty()) return 0;
  char* end = nullptr;
  const long seconds = std::strtol(value.c_str(), &end, 10);
  return end && *end == '\0' && seconds > 0 ? std::min<std::int64_t>(seconds, 3600) * 1000 : 0;
}

void report(provider_pointer self, const queued_call& c, std::string status, std::string reason,
            std::string message_id = {}) {
  dispatch_outcome out;
  out.provider_message_id = std::move(message_id);
  out.statuses.push_back({std::move(status), std::move(reason), self->state.config.clock_ms()});
  self->state.config.report(c.request.owner, c.request.attempt.id, out);
}

void pump(provider_pointer self);

void call_now(provider_pointer self, queued_call c);
void flush_marks(provider_pointer self);

// Starts a call, after recording its start when it is the attempt's first.
void start_call(provider_pointer self, queued_call c) {
  auto& st = self->state;
  if (c.tries > 0 || !st.config.mark_started) {
    call_now(self, std::move(c));
    return;
  }
  ++st.in_flight;  // holds the call's slot while its start is recorded
  st.to_mark.push_back(std::move(c));
  flush_marks(self);
}

// One record at a time; calls that become ready meanwhile share the next.
void flush_marks(provider_pointer self) {
  auto& st = self->state;
  if (!st.marking.empty() || st.to_mark.empty()) return;
  st.marking.swap(st.to_mark);
  std::vector<std::string> ids;
  ids.reserve(st.marking.size());
  for (const auto& c : st.marking) ids.push_back(c.request.attempt.id);
  auto handle = caf::actor_cast<caf::actor>(self);
  const std::uint64_t batch = ++st.mark_batch;
  st.config.mark_started(std::move(ids),
                         [handle, batch](bool ok) { caf::anon_send(handle, marked_atom_v, batch, ok); });
}

// The start of the calls of `batch` is durable (ok), or could not be recorded.
void on_marked(provider_pointer self, std::uint64_t batch_id, bool ok) {
  auto& st = self->state;
  if (batch_id != st.mark_batch) return;
  std::vector<queued_call> batch;
  batch.swap(st.marking);
  st.in_flight -= batch.size();
  if (ok) {
    for (auto& c : batch) call_now(self, std::move(c));
  } else {
    // The store refuses writes: nothing was called; wait and try again.
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) st.waiting.push_front(std::move(*it));
    self->delayed_send(self, std::chrono::seconds(1), wake_atom_v);
    return;
  }
  flush_marks(self);
  pump(self);
}

void call_now(provider_pointer self, queued_call c) {
  auto& st = self->state;
  auto request = st.config.build(c.request);
  if (!request) {
    report(self, c, "not_sent", "invalid_contact: " + request.error().message());
    return;
  }
  request->timeout = std::chrono::milliseconds(st.config.timeout_ms);
  ++st.in_flight;
  auto handle = caf::actor_cast<caf::actor>(self);
  st.config.client->submit(std::move(*request), [handle, req = c.request, tries = c.tries](outbound_response r) {
    caf::anon_send(handle, call_done_atom_v, req, tries + 1, std::move(r));
  });
}

// Returns whether a call may start now under the rate limit; when not,
// arranges to look again when the next token is due.
bool take_token(provider_pointer self) {
  auto& st = self->state;
  const double rate = st.config.rate_per_s;
  if (rate <= 0) return true;
  const auto now = std::chrono::steady_clock::now();
  st.tokens = std::min(rate, st.tokens + std::chrono::duration<double>(now - st.refilled).count() * rate);
  st.refilled = now;
  if (st.tokens >= 1) {
    st.tokens -= 1;
    return true;
  }
  if (!st.rate_wake_scheduled) {
    st.rate_wake_scheduled = true;
    const auto wait = std::chrono::microseconds(static_cast<std::int64_t>((1 - st.tokens) / rate * 1e6) + 1);
    self->delayed_send(self, wait, wake_atom_v);
  }
  return false;
}

// Brings the shared backlog gauge up to date with this provider's queue.
void publish_backlog(provider_pointer self) {
  auto& st = self->state;
  if (!st.config.backlog) return;
  const auto now = static_cast<std::int64_t>(st.waiting.size() + st.later.size() + st.in_flight);
  st.config.backlog->calls.fetch_add(now - st.published, std::memory_order_relaxed);
  st.published = now;
}

void pump_queue(provider_pointer self);

void pump(provider_pointer self) {
  pump_queue(self);
  publish_backlog(self);
}

void pump_queue(provider_pointer self) {
  auto& st = self->state;
  flush_marks(self);  // first calls held back by a failed record go again
  if (st.open) {
    // One probe at a time while the breaker is open (after its pause).
    if (!st.probing && !st.wake_scheduled && !st.waiting.empty()) {
      st.wake_scheduled = true;
      if (st.config.virtual_time) {
        st.probe_at = st.config.clock_ms() + st.config.breaker_open_ms;
      } else {
        self->delayed_send(self, std::chrono::milliseconds(st.config.breaker_open_ms), retry_atom_v);
      }
    }
    return;
  }
  while (st.in_flight < st.config.max_in_flight && !st.waiting.empty()) {
    if (!take_token(self)) return;
    queued_call c = std::move(st.waiting.front());
    st.waiting.pop_front();
    start_call(self, std::move(c));
  }
}

std::int64_t backoff_ms(provider_pointer self, int tries, std::int64_t retry_after_ms) {
  auto& cfg = self->state.config;
  const int exponent = std::min(tries - 1, 20);
  const std::int64_t cap = std::min(cfg.backoff_max_ms, cfg.backoff_base_ms << exponent);
  // Full jitter: calls that failed together do not come back together.
  std::uniform_int_distribution<std::int64_t> jitter(cap / 2, std::max<std::int64_t>(cap, 1));
  return std::max(retry_after_ms, jitter(self->state.random));
}

void on_call_done(provider_pointer self, const dispatch_request& req, int tries, const outbound_response& response) {
  auto& st = self->state;
  --st.in_flight;
  st.call_seconds.observe(response.seconds);
  const call_verdict v = judge(st.config, response);
  queued_call c{req, tries};
  const bool was_probe = st.probing;
  st.probing = false;
  if (v.what == call_verdict::kind::retry) {
    ++st.failures_in_a_row;
    if (st.failures_in_a_row >= st.config.breaker_failures || was_probe) st.open = true;
    report(self, c, "retrying", v.reason + " (try " + std::to_string(tries) + ")");
    const std::int64_t delay = backoff_ms(self, tries, v.retry_after_ms);
    if (st.config.virtual_time) {
      st.later.emplace(st.config.clock_ms() + delay, queued_call{req, tries});
    } else {
      self->delayed_send(self, std::chrono::milliseconds(delay), retry_atom_v, req, tries);
    }
  } else {
    st.failures_in_a_row = 0;
    st.open = false;
    if (v.what == call_verdict::kind::accepted) {
      report(self, c, "sent", "", v.provider_message_id);
    } else {
      report(self, c, "rejected", v.reason);
    }
  }
  pump(self);
}

// The breaker's pause is over: let one probe through.
void probe(provider_pointer self) {
  auto& st = self->state;
  st.wake_scheduled = false;
  if (!st.open || st.waiting.empty() || st.probing) return;
  st.probing = true;
  queued_call c = std::move(st.waiting.front());
  st.waiting.pop_front();
  start_call(self, std::move(c));
  if (st.in_flight == 0) st.probing = false;  // nothing was called (unsendable)
  pump(self);
}

}  // namespace

call_verdict judge(const http_provider_config& config, const outbound_response& r) {
  if (config.classify) return config.classify(r);
  call_verdict v;
  if (!r.transport_error.empty()) {
    v.reason = config.name + " unreachable: " + r.transport_error;
    return v;
  }
  if (r.status >= 200 && r.status < 300) return config.read_success(r);
  const std::string why = config.read_error ? config.read_error(r) : r.body.substr(0, 300);
  v.reason = config.name + " answered " + std::to_string(r.status) + (why.empty() ? "" : ": " + why);
  if (r.status == 429 || r.status >= 500) {
    v.retry_after_ms = parse_retry_after_ms(r.header("retry-after"));
    return v;
  }
  v.what = call_verdict::kind::rejected;
  return v;
}

provider_actor spawn_http_provider(caf::actor_system& system, http_provider_config config) {
  auto actor = system.spawn([config = std::move(config)](caf::stateful_actor<provider_state>* self) -> caf::behavior {
    self->state.config = config;
    return {
        [self](dispatch_atom, const dispatch_request_ptr& req) -> dispatch_outcome {
          self->state.waiting.push_back(queued_call{*req, 0});
          pump(self);
          return {};  // accepted; the outcome is reported later
        },
        [self](call_done_atom, const dispatch_request& req, int tries, const outbound_response& response) {
          on_call_done(self, req, tries, response);
        },
        [self](marked_atom, std::uint64_t batch, bool ok) { on_marked(self, batch, ok); },
        [self](retry_atom, const dispatch_request& req, int tries) {
          // Back of the line is wrong for a retry: it was due first.
          self->state.waiting.push_front(queued_call{req, tries});
          pump(self);
        },
        [self](wake_atom) {
          auto& st = self->state;
          st.rate_wake_scheduled = false;
          if (st.config.virtual_time) {
            // Time moved on: what has fallen due goes ahead of the line.
            const std::int64_t now = st.config.clock_ms();
            std::vector<queued_call> due;
            for (auto it = st.later.begin(); it != st.later.end() && it->first <= now;) {
              due.push_back(std::move(it->second));
              it = st.later.erase(it);
            }
            for (auto it = due.rbegin(); it != due.rend(); ++it) st.waiting.push_front(std::move(*it));
            if (st.probe_at != 0 && now >= st.probe_at) {
              st.probe_at = 0;
              probe(self);
              return;
            }
          }
          pump(self);
        },
        [self](health_atom) {
          const auto& st = self->state;
          provider_health h;
          h.breaker = st.probing ? "probing" : st.open ? "open" : "closed";
          h.waiting = st.waiting.size() + st.later.size();
          h.in_flight = st.in_flight;
          h.failures_in_a_row = static_cast<std::uint64_t>(st.failures_in_a_row);
          h.call_seconds = st.call_seconds;
          return h;
        },
        [self](retry_atom) { probe(self); },
    };
  });
  return caf::actor_cast<provider_actor>(actor);
}

}  // namespace herald::actors
