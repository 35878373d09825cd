#include "actors/ingest_router_actor.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <set>
#include <unordered_map>
#include <variant>

#include <caf/all.hpp>

#include "actors/entity_actor.hpp"
#include "actors/scheduler_actor.hpp"
#include "domain/entity_record.hpp"

namespace herald::actors {
namespace {

constexpr auto view_timeout = std::chrono::seconds(10);
// An entity answers an operation once what it started is durable. Under a
// backlog that can take long; timing out would count unfinished work as
// handled and let a settle answer early. No timeout at all, also because
// CAF 0.17 keeps a request's timeout in its clock until it expires even
// when the answer came long before: with 10 minutes, every routed event
// held ~2 KB for 10 minutes (bench/pipeline_bench measured 2.9 KB resident
// per passivated entity with it, 0.9 KB without). CAF bounces the requests
// still in a stopped actor's mailbox. Events, fires and reports are not
// requests but sends answered by answered_atom (ingest_router_actor.hpp).
constexpr auto operate_timeout = caf::infinite;

// Entity actors stopped per step. CAF 0.17's clock has a bounded queue that
// every exiting actor pushes to; stopping 100,000 at once filled it while the
// clock thread itself was destroying an actor, and the node deadlocked
// (found by bench/pipeline_bench). Chunks keep exits spread out.
constexpr std::size_t passivate_chunk = 256;
constexpr auto passivate_pause = std::chrono::milliseconds(2);

struct live_entity {
  entity_actor handle;
  std::int64_t last_active_ms = 0;
};

struct router_state {
  ingest_router_config config;
  std::unordered_map<std::string, live_entity> entities;
  std::size_t outstanding = 0;  // routed events whose entity has not answered
  std::vector<caf::typed_response_promise<bool>> settle_waiters;
  // For the engine checkpoint: the newest seq routed, and the seqs routed
  // but not yet handled.
  std::uint64_t highest_routed = 0;
  // Fires waiting for the events routed before them to be handled (see
  // release_fires).
  struct deferred_fire {
    std::uint64_t barrier;
    std::string entity, instance;
    std::int32_t action;
    std::int64_t due;
    caf::strong_actor_ptr reply_to;  // the scheduler
  };
  std::deque<deferred_fire> deferred_fires;
  std::multiset<std::uint64_t> unhandled;
  std::uint64_t checkpointed = 0;
  // Entities one of whose events or provider reports could not be handled
  // (its engine step was not stored): their events wait here, in seq order,
  // and go again one at a time from the log, so a later event never
  // overtakes an earlier one; then the reports, which the log does not hold
  // (a provider's answer, a webhook's status), in the order they came.
  struct provider_report {
    std::string attempt_id;
    dispatch_outcome outcome;
  };
  struct held_entity {
    std::set<std::uint64_t> seqs;
    std::deque<provider_report> reports;
    std::int64_t retry_ms = 0;  // the wait before the next try
    bool scheduled = false;     // a retry_atom is on its way
    bool in_flight = false;     // the first of `seqs` (else of `reports`) is with the entity
    bool empty() const { return seqs.empty() && reports.empty(); }
  };
  std::map<std::string, held_entity> held;
  // What was handed to an entity actor and not yet answered (answered_atom),
  // by token: an event, a due timer or a provider's report, and the actor it
  // went to (see `lost_atom`).
  struct sent_event {
    std::uint64_t seq;
    std::string key;
    bool from_hold;  // a held entity's event, sent again
  };
  struct sent_report {
    std::string key;
    provider_report report;
    bool from_hold;  // a held entity's report, sent again
  };
  struct sent_work {
    caf::actor_id actor = 0;
    std::variant<sent_event, deferred_fire, sent_report> what;
  };
  std::unordered_map<std::uint64_t, sent_work> sent;
  // Routed events beyond config.max_events_at_entities, in seq order, and
  // how many are with entities now (events a held entity sends again are
  // not counted: they go one at a time).
  struct waiting_event {
    std::uint64_t seq;
    storage::event_batch batch;
    std::size_t index;  // of the event in `batch`
  };
  std::deque<waiting_event> waiting;
  std::size_t at_entities = 0;
  std::uint64_t next_token = 0;
  std::uint64_t retries = 0;
  std::vector<entity_actor> passivating;  // idle actors still to stop
  bool exiting = false;                    // stopping: quit once all are stopped
  caf::error exit_reason;
  static inline const char* name = "herald.ingest_router";
};

using router_pointer = ingest_router_actor::stateful_pointer<router_state>;

// Returns the live actor of `key`, spawning (and so restoring) it if needed;
// `first` is the event it is needed for, when its batch is at hand.
entity_actor& entity_for(router_pointer self, const std::string& key, const spawning_event& first = {}) {
  auto& st = self->state;
  auto it = st.entities.find(key);
  if (it == st.entities.end()) {
    auto handle = spawn_entity(self, key, st.config.store, st.config.engine, first);
    it = st.entities.emplace(key, live_entity{std::move(handle), 0}).first;
  }
  it->second.last_active_ms = st.config.clock_ms();
  return it->second.handle;
}

// Stops the next chunk of idle actors and continues until none are left;
// a stopping router quits after the last chunk.
void passivate_some(router_pointer self) {
  auto& st = self->state;
  for (std::size_t n = 0; n < passivate_chunk && !st.passivating.empty(); ++n) {
    self->send(st.passivating.back(), passivate_atom_v);
    st.passivating.pop_back();
  }
  if (!st.passivating.empty()) {
    self->delayed_send(self, passivate_pause, passivate_atom_v);
  } else if (st.exiting) {
    self->quit(st.exit_reason);
  }
}

std::uint64_t sweep(router_pointer self, std::int64_t now_ms) {
  auto& st = self->state;
  std::uint64_t passivated = 0;
  const bool idle_before = st.passivating.empty();
  for (auto it = st.entities.begin(); it != st.entities.end();) {
    if (now_ms - it->second.last_active_ms >= st.config.passivate_after_ms) {
      // Leaves the live set now: a new event restores a fresh actor.
      st.passivating.push_back(std::move(it->second.handle));
      it = st.entities.erase(it);
      ++passivated;
    } else {
      ++it;
    }
  }
  if (idle_before && !st.passivating.empty()) {
    passivate_some(self);
  }
  return passivated;
}

// A timer fires only once every event routed before it has been handled:
// a course date completed in the same batch that booked its delegates must
// see those delegates' links (found with the demo: the certificate went to
// nobody when it raced them). Releases, in order, the fires whose events
// are all handled.
void release_fires(router_pointer self) {
  auto& st = self->state;
  while (!st.deferred_fires.empty()) {
    auto& f = st.deferred_fires.front();
    if (!st.unhandled.empty() && *st.unhandled.begin() <= f.barrier) return;
    entity_actor& handle = entity_for(self, f.entity);
    self->send(handle, fire_atom_v, ++st.next_token, f.instance, f.action);
    st.sent.emplace(st.next_token, router_state::sent_work{handle.id(), std::move(f)});
    st.deferred_fires.pop_front();
  }
}

// The entity answered a fire, or its actor is lost: the scheduler hears
// whether the timer was handled.
void fire_answered(router_pointer self, const router_state::deferred_fire& f, bool ok) {
  if (auto scheduler = caf::actor_cast<scheduler_actor>(f.reply_to)) {
    self->send(scheduler, fired_atom_v, f.due, f.instance, f.action, ok);
  }
}

// One routed message was handled: a settle waiting for the last answers.
void one_handled(router_pointer self) {
  if (--self->state.outstanding == 0) {
    for (auto& rp : self->state.settle_waiters) rp.deliver(true);
    self->state.settle_waiters.clear();
  }
}

// Everything routed at or below the result has been handled.
std::uint64_t handled_through(const router_state& st) {
  return st.unhandled.empty() ? st.highest_routed : *st.unhandled.begin() - 1;
}

void write_checkpoint(router_pointer self) {
  auto& st = self->state;
  const std::uint64_t through = handled_through(st);
  if (st.config.checkpoint && through > st.checkpointed) {
    st.config.checkpoint(through);
    st.checkpointed = through;
  }
}

// Drops `key`'s live actor if it is still the actor `id`: an actor that
// answered false could not store a step (it asks to retire once idle), so
// the next message for the entity restores a fresh one from the store.
void forget(router_pointer self, const std::string& key, caf::actor_id id) {
  auto it = self->state.entities.find(key);
  if (it != self->state.entities.end() && it->second.handle.id() == id) self->state.entities.erase(it);
}

// One routed event is off the backlog (handled, or never handed to an entity).
void off_backlog(router_state& st, std::int64_t events = 1) {
  if (st.config.backlog) st.config.backlog->events.fetch_sub(events, std::memory_order_relaxed);
}

// Sends a held entity's next event (retry_atom) unless one is on its way:
// at once, or after its backoff (config.retry_after_ms, doubling per
// failure up to a minute while the store keeps failing).
void send_next_held(router_pointer self, const std::string& key, router_state::held_entity& held, bool after_failure) {
  if (held.in_flight || held.scheduled) return;
  held.scheduled = true;
  if (!after_failure) {
    self->send(self, retry_atom_v, key);
    return;
  }
  held.retry_ms =
      held.retry_ms == 0 ? self->state.config.retry_after_ms : std::min<std::int64_t>(held.retry_ms * 2, 60000);
  self->delayed_send(self, std::chrono::milliseconds(held.retry_ms), retry_atom_v, key);
}

// The entity `handle` refused what it was sent (its step was not stored):
// drops the actor and holds the entity, counting a retry.
router_state::held_entity& hold(router_pointer self, const std::string& key, caf::actor_id handle,
                                bool from_hold) {
  auto& st = self->state;
  forget(self, key, handle);
  auto& held = st.held[key];
  if (from_hold) held.in_flight = false;
  ++st.retries;
  return held;
}

// What a held entity was sent again went through: the next one goes at
// once, or the entity is let go when nothing waits.
void held_went_through(router_pointer self, std::map<std::string, router_state::held_entity>::iterator held) {
  held->second.in_flight = false;
  held->second.retry_ms = 0;
  if (!held->second.empty()) {
    send_next_held(self, held->first, held->second, false);
  } else if (!held->second.scheduled) {
    self->state.held.erase(held);
  }
}

// Sends a provider's report on an attempt to the entity that owns it. A
// false answer (its step was not stored) holds the entity with the report,
// which goes again after the entity's held events. `from_hold`: the report
// is the first of a held entity's.
void send_report(router_pointer self, const std::string& key, router_state::provider_report report,
                 bool from_hold) {
  auto& st = self->state;
  entity_actor& handle = entity_for(self, key);
  self->send(handle, status_atom_v, ++st.next_token, report.attempt_id, report.outcome);
  st.sent.emplace(st.next_token,
                  router_state::sent_work{handle.id(), router_state::sent_report{key, std::move(report), from_hold}});
}

// Sends event `seq` (routed, counted unhandled) to its entity. A false
// answer (its step was not stored) holds the entity: the event stays
// unhandled, so the checkpoint does not pass it and a restart runs it
// again, and it goes again from the log (send_next_held). `from_hold`: the
// event is the one a held entity sent again.
void send_event(router_pointer self, std::uint64_t seq, const std::string& key, entity_update u, bool from_hold,
                const spawning_event& first = {}) {
  auto& st = self->state;
  entity_actor& handle = entity_for(self, key, first);
  self->send(handle, apply_atom_v, ++st.next_token, std::move(u));
  st.sent.emplace(st.next_token, router_state::sent_work{handle.id(), router_state::sent_event{seq, key, from_hold}});
}

entity_update update_of(std::uint64_t seq, const domain::cloud_event& ev, const domain::entity_effect& effect) {
  entity_update u;
  u.seq = seq;
  u.type = ev.type;
  u.carries_record = effect.carries_record;
  u.deletes = effect.deletes;
  if (effect.carries_record) {
    u.data_json = ev.data;
  }
  return u;
}

// Hands routed event `seq` (counted unhandled) of `batch` to its entity,
// or to its entity's hold when the entity is held. `effect` is the event's
// (entity_effect_of), which names an entity.
void route_event(router_pointer self, std::uint64_t seq, const storage::event_batch& batch, std::size_t index,
                 const domain::entity_effect& effect) {
  auto& st = self->state;
  const domain::cloud_event& ev = (*batch)[index];
  const std::string key(*effect.key);
  if (auto held = st.held.find(key); held != st.held.end()) {
    held->second.seqs.insert(seq);  // after the ones waiting
    return;
  }
  ++st.at_entities;
  send_event(self, seq, key, update_of(seq, ev, effect), false, spawning_event{seq, batch, index});
}

// Routes waiting events while fewer than the bound are with entities.
void route_waiting(router_pointer self) {
  auto& st = self->state;
  while (!st.waiting.empty() && st.at_entities < st.config.max_events_at_entities) {
    const router_state::waiting_event w = std::move(st.waiting.front());
    st.waiting.pop_front();
    route_event(self, w.seq, w.batch, w.index, domain::entity_effect_of((*w.batch)[w.index]));
  }
}

void event_answered(router_pointer self, const router_state::sent_event& e, caf::actor_id actor, bool ok) {
  auto& st = self->state;
  if (!e.from_hold) --st.at_entities;
  if (!ok) {
    auto& held = hold(self, e.key, actor, e.from_hold);
    held.seqs.insert(e.seq);
    send_next_held(self, e.key, held, true);
    route_waiting(self);
    return;
  }
  off_backlog(st);
  st.unhandled.erase(st.unhandled.find(e.seq));
  if (auto held = st.held.find(e.key); held != st.held.end()) {
    held->second.seqs.erase(e.seq);
    if (e.from_hold) held_went_through(self, held);
  }
  one_handled(self);
  route_waiting(self);
  release_fires(self);
}

void report_answered(router_pointer self, router_state::sent_report& r, caf::actor_id actor, bool ok) {
  if (!ok) {
    auto& held = hold(self, r.key, actor, r.from_hold);
    if (!r.from_hold) held.reports.push_back(std::move(r.report));  // a held one is still first
    send_next_held(self, r.key, held, true);
    return;
  }
  if (auto held = self->state.held.find(r.key); r.from_hold && held != self->state.held.end()) {
    held->second.reports.pop_front();
    held_went_through(self, held);
  }
  one_handled(self);
}

// The entity answered what it was sent as `token` (answered_atom), or its
// actor is lost (ok false: sent again, or for a fire, the scheduler tries
// again).
void answered(router_pointer self, std::uint64_t token, bool ok) {
  auto& st = self->state;
  auto it = st.sent.find(token);
  if (it == st.sent.end()) return;  // answered already (an actor lost after it answered)
  router_state::sent_work work = std::move(it->second);
  st.sent.erase(it);
  if (auto* e = std::get_if<router_state::sent_event>(&work.what)) {
    event_answered(self, *e, work.actor, ok);
  } else if (auto* f = std::get_if<router_state::deferred_fire>(&work.what)) {
    fire_answered(self, *f, ok);
  } else {
    report_answered(self, std::get<router_state::sent_report>(work.what), work.actor, ok);
  }
}

std::chrono::milliseconds tick_interval(const ingest_router_config& c) {
  return std::chrono::milliseconds(std::max<std::int64_t>(c.passivate_after_ms / 2, 1));
}

ingest_router_actor::behavior_type router_behavior(router_pointer self,
                                                   ingest_router_config config) {
  if (!config.clock_ms) {
    config.clock_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  config.max_events_at_entities = std::max<std::size_t>(config.max_events_at_entities, 1);
  self->state.config = std::move(config);
  if (self->state.config.periodic_sweep) {
    self->delayed_send(self, tick_interval(self->state.config), tick_atom_v);
  }
  if (self->state.config.checkpoint) {
    self->delayed_send(self, std::chrono::milliseconds(self->state.config.checkpoint_every_ms), checkpoint_atom_v);
  }
  // A clean stop records how far the engine got, then stops the entity
  // actors in chunks (see passivate_chunk) before the router quits.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    write_checkpoint(self);
    if (st.exiting) {
      return;
    }
    st.exiting = true;
    st.exit_reason = msg.reason;
    const bool chain_running = !st.passivating.empty();
    for (auto& [key, live] : st.entities) {
      st.passivating.push_back(std::move(live.handle));
    }
    st.entities.clear();
    if (!chain_running) {
      passivate_some(self);
    }
  });
  return {
      [self](route_atom, const storage::event_batch& batch,
             const std::vector<std::uint64_t>& seqs) {
        auto& st = self->state;
        // Events the loop does not hand to an entity count as handled at once.
        if (batch->size() > seqs.size()) off_backlog(st, static_cast<std::int64_t>(batch->size() - seqs.size()));
        for (std::size_t i = 0; i < batch->size() && i < seqs.size(); ++i) {
          if (seqs[i] == 0) {
            off_backlog(st);
            continue;
          }
          st.highest_routed = std::max(st.highest_routed, seqs[i]);
          const domain::cloud_event& ev = (*batch)[i];
          const domain::entity_effect effect = domain::entity_effect_of(ev);
          if (!effect.key) {
            off_backlog(st);
            continue;
          }
          ++st.outstanding;
          st.unhandled.insert(seqs[i]);
          if (st.waiting.empty() && st.at_entities < st.config.max_events_at_entities) {
            route_event(self, seqs[i], batch, i, effect);
          } else {
            st.waiting.push_back({seqs[i], batch, i});
          }
        }
      },
      [self](retry_atom, const std::string& key) {
        auto& st = self->state;
        auto held = st.held.find(key);
        if (held == st.held.end()) return;
        held->second.scheduled = false;
        if (held->second.in_flight) return;
        if (held->second.empty()) {
          st.held.erase(held);
          return;
        }
        if (held->second.seqs.empty()) {
          held->second.in_flight = true;
          send_report(self, key, held->second.reports.front(), true);
          return;
        }
        const std::uint64_t seq = *held->second.seqs.begin();
        auto e = st.config.store->read(seq);
        const domain::entity_effect effect = e ? domain::entity_effect_of(e->event) : domain::entity_effect{};
        if (!e || !effect.key) {  // the store still fails: later
          send_next_held(self, key, held->second, true);
          return;
        }
        held->second.in_flight = true;
        send_event(self, seq, key, update_of(seq, e->event, effect), true);
      },
      [self](answered_atom, std::uint64_t token, bool ok) { answered(self, token, ok); },
      [self](retire_atom, const std::string& key) {
        // A broken actor, idle: it stops after what this router sent it before.
        auto sender = caf::actor_cast<entity_actor>(self->current_sender());
        if (!sender) return;
        forget(self, key, sender.id());
        self->send(sender, passivate_atom_v);
      },
      [self](lost_atom, caf::actor_id id) {
        // An actor ended abnormally: what it was sent and did not answer
        // goes again to a fresh one, in the order it was sent. Rare, so a
        // walk of everything sent.
        auto& st = self->state;
        for (auto it = st.entities.begin(); it != st.entities.end(); ++it) {
          if (it->second.handle.id() == id) {
            st.entities.erase(it);
            break;
          }
        }
        std::vector<std::uint64_t> lost;
        for (const auto& [token, work] : st.sent) {
          if (work.actor == id) lost.push_back(token);
        }
        std::sort(lost.begin(), lost.end());
        for (std::uint64_t token : lost) answered(self, token, false);
      },
      [self](stats_atom) -> router_stats {
        std::uint64_t waiting = 0;
        for (const auto& [key, held] : self->state.held) waiting += held.seqs.size() + held.reports.size();
        return router_stats{self->state.entities.size(), self->state.retries, waiting, handled_through(self->state),
                            self->state.waiting.size()};
      },
      [self](view_atom, const std::string& key) -> caf::result<entity_view> {
        auto rp = self->make_response_promise<entity_view>();
        self->request(entity_for(self, key), view_timeout, view_atom_v)
            .then([rp](const entity_view& v) mutable { rp.deliver(v); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](sweep_atom, std::int64_t now_ms) -> std::uint64_t { return sweep(self, now_ms); },
      [self](live_atom) -> std::uint64_t { return self->state.entities.size(); },
      [self](fire_atom, const std::string& entity, const std::string& instance, std::int32_t action,
             std::int64_t due) {
        auto& st = self->state;
        st.deferred_fires.push_back({st.highest_routed, entity, instance, action, due, self->current_sender()});
        release_fires(self);
      },
      [self](status_atom, const std::string& owner, const std::string& attempt_id, const dispatch_outcome& outcome) {
        // Counted like an event, so a settle waits for it too.
        ++self->state.outstanding;
        router_state::provider_report report{attempt_id, outcome};
        if (auto held = self->state.held.find(owner); held != self->state.held.end()) {
          held->second.reports.push_back(std::move(report));  // after what waits already
          send_next_held(self, owner, held->second, false);
          return;
        }
        send_report(self, owner, std::move(report), false);
      },
      [self](operate_atom, const std::string& owner, const operation& op) -> caf::result<operation_result> {
        auto rp = self->make_response_promise<operation_result>();
        ++self->state.outstanding;
        self->request(entity_for(self, owner), operate_timeout, operate_atom_v, op)
            .then(
                [self, rp](const operation_result& r) mutable {
                  rp.deliver(r);
                  one_handled(self);
                },
                [self, rp](caf::error& err) mutable {
                  rp.deliver(std::move(err));
                  one_handled(self);
                });
        return rp;
      },
      [self](settle_atom) -> caf::result<bool> {
        if (self->state.outstanding == 0) {
          return true;
        }
        auto rp = self->make_response_promise<bool>();
        self->state.settle_waiters.push_back(rp);
        return rp;
      },
      [self](passivate_atom) { passivate_some(self); },
      [self](checkpoint_atom) {
        write_checkpoint(self);
        self->delayed_send(self, std::chrono::milliseconds(self->state.config.checkpoint_every_ms),
                           checkpoint_atom_v);
      },
      [self](tick_atom) {
        sweep(self, self->state.config.clock_ms());
        self->delayed_send(self, tick_interval(self->state.config), tick_atom_v);
      },
  };
}

}  // namespace

ingest_router_actor spawn_ingest_router(caf::actor_system& system, ingest_router_config config) {
  return system.spawn(router_behavior, std::move(config));
}

}  // namespace herald::actors
