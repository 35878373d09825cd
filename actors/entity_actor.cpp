#include "actors/entity_actor.hpp"

#include <memory>

#include <caf/all.hpp>

#include <boost/json.hpp>

#include "actors/engine_context.hpp"
#include "actors/entity_engine.hpp"
#include "actors/ingest_router_actor.hpp"
#include "domain/engine_event.hpp"
#include "domain/entity_record.hpp"
#include "domain/scratch_json.hpp"
#include "storage/entity_reader.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::actors {
namespace {

// Providers answer a dispatch at once (the sandbox with its outcome, the
// others with "accepted", reporting later), and CAF bounces requests left in
// a stopped provider's mailbox. A timeout would only cost: CAF 0.17 keeps
// each in its clock until it expires, answered or not (30 s at 10,000
// attempts/s held 300,000 entries and a clock insert per attempt).
constexpr auto provider_timeout = caf::infinite;

// What an entity_view says of the entity, kept without the members filled
// in only when one is asked for (record_json, views_held): every live actor
// holds one, and the actor's allocation stays in a smaller size class.
struct entity_summary {
  std::string key;
  std::uint64_t last_seq = 0;
  std::uint64_t applied = 0;  // updates applied since spawn
  // The fields the last record changed, as the restore found them: kept
  // until the engine has judged the event they are of (its rules use
  // them), then let go. A view asks the store instead (changed_fields_of):
  // a new entity's are every field it has, and every live actor held them.
  std::vector<std::string> changed_fields;
  bool changed_fields_kept = false;
  bool exists = false;
  bool deleted = false;
  bool restored = false;
};

struct entity_state {
  entity_summary view;
  // The event whose data is the record the view shows (0: none). The text
  // is read from the store when the view is asked for, not kept per actor.
  std::uint64_t record_json_seq = 0;
  // Records are shared, not copied: `record` and `engine_record` are
  // usually the same one, and an idle actor keeps it for as long as it lives.
  std::shared_ptr<const domain::entity_record> record;
  std::shared_ptr<const engine_context> engine_ctx;
  std::optional<entity_engine> engine;
  const storage::event_store* store = nullptr;
  // The record as of the newest event the engine handled: each event is
  // judged on the record it carried, and its changes against this one. A
  // restored actor reads it from the store before its first event.
  std::shared_ptr<const domain::entity_record> engine_record;
  bool engine_record_known = false;
  // The seq of the event whose record `record` is (0: none), so that event
  // is not parsed again when it arrives.
  std::uint64_t record_seq = 0;
  // From the snapshot read at spawn: the record before event
  // `snapshot_data_seq`, so a new entity's first event needs no second walk
  // of its history.
  std::uint64_t snapshot_data_seq = 0;
  std::unique_ptr<std::string> snapshot_previous_json;  // until the first event; most actors have none
  // Continuations waiting for an append to be durable, by token.
  std::map<std::uint64_t, std::function<void(bool)>> pending;
  std::uint64_t next_token = 0;
  std::size_t provider_calls = 0;  // dispatches waiting for a provider's answer
  bool passivating = false;
  // A step could not be stored: this actor's memory ran ahead of the store.
  // It takes nothing more (answers false) and, once idle, asks the router to
  // retire it (retire_atom), which retries with a fresh actor restored from
  // what is stored.
  bool broken = false;
  bool retiring = false;  // retire_atom sent: stops on the router's passivate_atom
  // This actor's appends: once one fails, the store refuses the ones it
  // made before it learned so (they build on the one that failed).
  std::shared_ptr<storage::append_chain> steps = std::make_shared<storage::append_chain>();
  // The router that spawned this actor: takes a provider's answer this
  // actor could not record (see hand_over). An address, not a handle: the
  // router holds this actor, and this actor must not keep the router alive.
  caf::actor_addr router;
  static inline const char* name = "herald.entity";
};

using entity_pointer = entity_actor::stateful_pointer<entity_state>;

// The entity actor this thread is running (entity_actor_impl::resume): how
// the handlers every entity actor shares (entity_behavior) find their own.
thread_local entity_pointer running_entity = nullptr;

entity_pointer current_entity() { return running_entity; }

std::shared_ptr<const domain::entity_record> parse_record(const std::string& text) {
  const domain::scratch_json v(text);  // parse_entity_record copies what it keeps
  if (!v.ok()) {
    return nullptr;
  }
  auto r = domain::parse_entity_record(v.value());
  return r ? std::make_shared<const domain::entity_record>(std::move(*r)) : nullptr;
}

void forget_changed_fields(entity_summary& view) {
  std::vector<std::string>().swap(view.changed_fields);
  view.changed_fields_kept = false;
}

// The fields the entity's last record changed: kept from the restore, or
// its record compared with the one before it in the store. An error when
// the store cannot be read (not "every field", as if there were no record
// before).
result<std::vector<std::string>> changed_fields_of(const entity_state& st) {
  if (st.view.changed_fields_kept) return st.view.changed_fields;
  if (!st.record) return std::vector<std::string>{};
  auto text = storage::read_record_before(*st.store, st.view.key, st.record_seq);
  if (!text) return text.error();
  const std::shared_ptr<const domain::entity_record> before = *text ? parse_record(**text) : nullptr;
  return domain::changed_fields(before.get(), *st.record);
}

// Once nothing is in flight, a passivating actor stops and a broken one
// asks the router to retire it (it stops on the router's passivate_atom,
// after everything the router sent it before); any other lets go of what
// the store now holds (entity_engine::release_settled).
void quit_if_idle(entity_pointer self) {
  auto& s = self->state;
  if (!s.pending.empty() || s.provider_calls != 0) return;
  if (s.passivating) {
    self->quit();
  } else if (s.broken) {
    if (s.retiring) return;
    s.retiring = true;
    if (auto router = caf::actor_cast<ingest_router_actor>(s.router)) {
      self->send(router, retire_atom_v, s.view.key);
    } else {
      self->quit();  // the router is gone: nothing more will come
    }
  } else if (s.engine) {
    s.engine->release_settled();
  }
}

// Tells the router that what it sent as `token` is handled (ok), or that
// it could not be (its step was not stored): the router then holds the
// entity.
void answer(entity_pointer self, std::uint64_t token, bool ok) {
  if (auto router = caf::actor_cast<ingest_router_actor>(self->state.router)) self->send(router, answered_atom_v, token, ok);
}

// A provider answered, but this actor cannot record it (the step recording
// it was refused, or an earlier one was and its memory ran ahead of the
// store): the answer exists nowhere else, so it goes to the router, which
// holds the entity and hands it to a fresh actor restored from the store.
void hand_over(entity_pointer self, const std::string& attempt_id, const dispatch_outcome& outcome) {
  if (auto router = caf::actor_cast<caf::actor>(self->state.router)) {
    caf::anon_send(router, status_atom_v, self->state.view.key, attempt_id, outcome);
  }
}

// Appends the step's events; once durable tells the scheduler about new
// timers, hands attempts to the provider and records what it answered, then
// calls `done(ok)`. If the append itself fails, `refused` runs first.
void run_step(entity_pointer self, engine_step step, std::function<void(bool)> done,
              std::function<void()> refused = {}) {
  if (self->state.engine && self->state.engine->take_read_failure()) {
    // The step was made without a view it needed (released, then not read
    // back): treated as refused, so the router retries with a fresh actor.
    self->state.broken = true;
    if (refused) refused();
    done(false);
    return;
  }
  if (step.empty()) {
    done(true);
    return;
  }
  const std::uint64_t token = ++self->state.next_token;
  auto follow_up = [self, timers = std::move(step.timers), cancelled = std::move(step.cancelled),
                    dispatches = std::move(step.dispatches), done = std::move(done),
                    refused = std::move(refused)](bool ok) mutable {
    if (!ok) {
      self->state.broken = true;
      if (refused) refused();
      done(false);
      return;
    }
    const auto& ctx = *self->state.engine_ctx;
    for (const auto& t : timers) {
      self->send(ctx.scheduler, timer_atom_v, t.due_ms, t.instance_id, static_cast<std::int32_t>(t.action),
                 self->state.view.key);
    }
    for (const auto& t : cancelled) {
      self->send(ctx.scheduler, untimer_atom_v, t.due_ms, t.instance_id, static_cast<std::int32_t>(t.action));
    }
    if (dispatches.empty()) {
      done(true);
      return;
    }
    auto remaining = std::make_shared<std::size_t>(dispatches.size());
    auto all_ok = std::make_shared<bool>(true);
    auto finish = [remaining, all_ok, done](bool step_ok) {
      *all_ok = *all_ok && step_ok;
      if (--*remaining == 0) done(*all_ok);
    };
    for (auto& each : dispatches) {
      ++self->state.provider_calls;
      // Shared by the message and the answer's handler: no copy.
      dispatch_request_ptr req = std::move(each);
      self->request(ctx.provider_for(req->attempt.channel), provider_timeout, dispatch_atom_v, req)
          .then(
              [self, req, finish](const dispatch_outcome& outcome) {
                --self->state.provider_calls;
                if (self->state.broken) {
                  hand_over(self, req->attempt.id, outcome);
                  finish(true);  // the router has the answer now
                } else {
                  auto handed = std::make_shared<bool>(false);
                  run_step(
                      self, self->state.engine->on_outcome(*req, outcome),
                      [finish, handed](bool ok) { finish(ok || *handed); },
                      [self, id = req->attempt.id, outcome, handed] {
                        hand_over(self, id, outcome);
                        *handed = true;
                      });
                }
                quit_if_idle(self);
              },
              [self, finish](caf::error&) {
                // The attempt stays queued in the log for the provider retry path.
                --self->state.provider_calls;
                finish(false);
                quit_if_idle(self);
              });
    }
  };
  self->state.pending.emplace(token, std::move(follow_up));
  domain::engine::carry_attempts_in_instance_records(step.events);
  auto batch = std::make_shared<const std::vector<domain::cloud_event>>(std::move(step.events));
  auto handle = caf::actor_cast<entity_actor>(self);
  self->state.engine_ctx->store->append_async(
      domain::event_kind::engine_event, batch,
      [handle, token](result<storage::append_outcome> r) {
        caf::anon_send(handle, persisted_atom_v, token, r.has_value());
      },
      self->state.steps);
}

// Restores the entity's state from the store: the first thing an entity
// actor does, on a scheduler thread. Restoring is a few point reads and
// short prefix scans: cheap enough to do there.
void restore(entity_pointer self, std::string key, const storage::event_store* store,
             std::shared_ptr<const engine_context> engine, caf::actor_addr router, const spawning_event& first) {
  auto& st = self->state;
  st.router = std::move(router);
  st.view.key = key;
  st.store = store;
  st.engine_ctx = std::move(engine);
  storage::known_event known;
  if (first.batch && first.index < first.batch->size()) known = {first.seq, &(*first.batch)[first.index]};
  auto snapshot = storage::read_entity(*store, key, known);
  bool engine_state_stored = true;  // unless the history shows there is none
  if (snapshot && *snapshot) {
    auto& snap = **snapshot;  // taken apart: the actor keeps its parts
    st.view.exists = true;
    st.view.restored = true;
    st.view.deleted = snap.deleted;
    st.view.last_seq = snap.last_seq;
    if (!snap.record_json.empty()) st.record_json_seq = snap.data_seq;
    st.view.changed_fields = std::move(snap.changed_fields);
    st.view.changed_fields_kept = true;
    if (snap.record) st.record = std::make_shared<const domain::entity_record>(std::move(*snap.record));
    st.record_seq = st.record ? snap.data_seq : 0;
    st.snapshot_data_seq = snap.data_seq;
    if (!snap.previous_record_json.empty()) {
      st.snapshot_previous_json = std::make_unique<std::string>(std::move(snap.previous_record_json));
    }
    engine_state_stored = !snap.no_engine_history;
  }
  if (st.engine_ctx) {
    st.engine.emplace(key, st.engine_ctx.get());
    // A new entity (nothing of the engine's in its history) has nothing to
    // restore. An actor that could not read its engine state takes nothing
    // (answers false): the router holds the entity and retries with a fresh
    // actor, rather than this one deciding on part of its state. A corrupt
    // view is another matter: retrying cannot mend it, so the engine goes on
    // without it, as before.
    if (engine_state_stored) {
      const status restored = st.engine->restore();
      if (!restored && restored.code() != errc::corruption) st.broken = true;
    }
  }
}

// The handlers every entity actor runs. They are made once and shared:
// made per actor they were one more allocation of ≈ 380 bytes per live
// entity and its construction per spawn. A shared handler cannot capture
// its actor, so each asks for the one being run (current_entity).
caf::behavior entity_behavior() {
  static entity_actor::behavior_type handlers{
      [](apply_atom, std::uint64_t token, const entity_update& u) {
        const entity_pointer self = current_entity();
        auto& s = self->state;
        if (s.broken) return answer(self, token, false);
        // Parsed once: the snapshot and the engine both need it.
        const std::shared_ptr<const domain::entity_record> carried =
            !u.carries_record               ? nullptr
            : u.seq == s.record_seq && s.record ? s.record
                                                : parse_record(u.data_json);
        if (u.seq > s.view.last_seq) {
          s.view.exists = true;
          s.view.last_seq = u.seq;
          s.view.deleted = u.deletes;
          ++s.view.applied;
          if (carried) {
            forget_changed_fields(s.view);  // of an older record now
            s.record = carried;
            s.record_seq = u.seq;
            s.record_json_seq = u.seq;
          }
        }
        if (!s.engine || !s.engine->is_new(u.seq)) {
          return answer(self, token, true);
        }
        bool judged_on_snapshot = false;  // the event the snapshot was read for, judged against its record before
        if (!s.engine_record_known) {
          if (u.seq == s.snapshot_data_seq) {
            if (s.snapshot_previous_json) s.engine_record = parse_record(*s.snapshot_previous_json);
            judged_on_snapshot = true;
          } else if (auto before = storage::read_record_before(*s.store, s.view.key, u.seq); before && *before) {
            s.engine_record = parse_record(**before);
          }
          s.snapshot_previous_json.reset();
          s.engine_record_known = true;
        }
        std::shared_ptr<const domain::entity_record> at = u.carries_record ? carried : s.engine_record;
        // A new entity's first event: the snapshot compared the same two
        // records (the one before the event, the event's) when it was read.
        const bool snapshot_compared = judged_on_snapshot && at && at == s.record && u.seq == s.record_seq &&
                                       s.view.last_seq == u.seq;
        std::vector<std::string> compared;
        if (!snapshot_compared && at) compared = domain::changed_fields(s.engine_record.get(), *at);
        engine_step step = s.engine->on_event(u, at.get(), snapshot_compared ? s.view.changed_fields : compared,
                                              u.deletes);
        forget_changed_fields(s.view);  // the restore's event is judged: a view asks the store
        if (u.carries_record) {
          s.engine_record = std::move(at);
        }
        run_step(self, std::move(step), [self, token](bool ok) { answer(self, token, ok); });
      },
      // A store that cannot be read answers an error, not a view missing
      // its record or listing every field as changed.
      [](view_atom) -> caf::result<entity_view> {
        const entity_pointer self = current_entity();
        const entity_summary& s = self->state.view;
        entity_view v;
        v.key = s.key;
        v.exists = s.exists;
        v.deleted = s.deleted;
        v.last_seq = s.last_seq;
        auto changed = changed_fields_of(self->state);
        if (!changed) return caf::make_error(caf::sec::runtime_error, "entity view: " + changed.error().message());
        v.changed_fields = std::move(*changed);
        v.restored = s.restored;
        v.applied = s.applied;
        v.views_held = self->state.engine ? self->state.engine->views_held() : 0;
        if (self->state.record_json_seq) {
          // Events reach actors once durable, so the store holds this one.
          auto ev = self->state.store->read(self->state.record_json_seq);
          if (!ev) return caf::make_error(caf::sec::runtime_error, "entity view: " + ev.error().message());
          v.record_json = std::move(ev->event.data);
        }
        return v;
      },
      [](fire_atom, std::uint64_t token, const std::string& instance, std::int32_t action) {
        const entity_pointer self = current_entity();
        auto& s = self->state;
        if (s.broken || !s.engine) return answer(self, token, !s.broken);
        run_step(self, s.engine->on_fire(instance, action, s.record.get(), s.view.deleted),
                 [self, token](bool ok) { answer(self, token, ok); });
      },
      [](status_atom, std::uint64_t token, const std::string& attempt_id, const dispatch_outcome& outcome) {
        const entity_pointer self = current_entity();
        auto& s = self->state;
        if (s.broken || !s.engine) return answer(self, token, !s.broken);
        run_step(self, s.engine->on_status(attempt_id, outcome), [self, token](bool ok) { answer(self, token, ok); });
      },
      [](operate_atom, const operation& op) -> caf::result<operation_result> {
        const entity_pointer self = current_entity();
        auto& s = self->state;
        if (s.broken) return operation_result{false, "unavailable", "the store could not record it; try again", "", {}};
        if (!s.engine) {
          return operation_result{false, "unavailable", "the engine is not running", "", {}};
        }
        auto [step, answer] = s.engine->on_operation(op, s.record.get(), s.view.deleted);
        if (!answer.ok && s.engine->take_read_failure()) {
          return operation_result{false, "unavailable", "the store could not be read; try again", "", {}};
        }
        if (!answer.ok) return answer;
        auto rp = self->make_response_promise<operation_result>();
        run_step(self, std::move(step), [rp, answer = answer](bool ok) mutable {
          rp.deliver(ok ? answer
                        : operation_result{false, "unavailable", "the store could not record it; try again", "", {}});
        });
        return rp;
      },
      [](persisted_atom, std::uint64_t token, bool ok) {
        const entity_pointer self = current_entity();
        auto& s = self->state;
        auto it = s.pending.find(token);
        if (it == s.pending.end()) {
          return;
        }
        auto continuation = std::move(it->second);
        s.pending.erase(it);
        continuation(ok);
        quit_if_idle(self);
      },
      [](passivate_atom) {
        const entity_pointer self = current_entity();
        self->state.passivating = true;
        quit_if_idle(self);
      },
  };
  return handlers.unbox();
}

// An entity actor: restores its state when it first runs, then takes its
// messages with the shared handlers, noting itself as this thread's
// running entity while it runs.
class entity_actor_impl final : public entity_actor::stateful_base<entity_state> {
  using super = entity_actor::stateful_base<entity_state>;

 public:
  entity_actor_impl(caf::actor_config& cfg, std::string key, const storage::event_store* store,
                    std::shared_ptr<const engine_context> engine, caf::actor_addr router, spawning_event first)
      : super(cfg) {
    initial_behavior_fac_ = caf::detail::unique_function<caf::behavior(caf::local_actor*)>{
        [key = std::move(key), store, engine = std::move(engine), router = std::move(router),
         first = std::move(first)](caf::local_actor* self) mutable {
          restore(static_cast<entity_actor_impl*>(self), std::move(key), store, std::move(engine),
                  std::move(router), first);
          return entity_behavior();  // CAF drops this function (and the batch) once it has run
        }};
  }

  resume_result resume(caf::execution_unit* unit, std::size_t max_throughput) override {
    struct running {  // restored however resume ends
      entity_pointer outer = running_entity;
      explicit running(entity_pointer self) { running_entity = self; }
      ~running() { running_entity = outer; }
    } note(this);
    return super::resume(unit, max_throughput);
  }
};

// Every live entity is one such allocation (a server keeps a minute of
// entities live), and jemalloc rounds it up to its size class: 1,536 bytes
// here, the next class is 1,792. A member added to entity_state or
// entity_engine that crosses the line costs 256 bytes per live entity:
// keep what only steps need in the engine's working set instead.
static_assert(sizeof(caf::actor_storage<entity_actor_impl>) <= 1536,
              "a live entity actor no longer fits jemalloc's 1,536-byte size class");

}  // namespace

entity_actor spawn_entity(caf::local_actor* parent, std::string key, const storage::event_store* store,
                          std::shared_ptr<const engine_context> engine, spawning_event first) {
  // Not linked: one entity's failure must not take the router down; actors
  // end with their last handle when the router goes.
  auto handle = parent->spawn<entity_actor_impl>(std::move(key), store, std::move(engine), parent->address(),
                                                std::move(first));
  // An actor that ends other than by passivation (an exception) drops the
  // events in its mailbox: the router must hear of it to send them again.
  // Captures 16 bytes: every live actor holds it.
  caf::actor_cast<caf::abstract_actor*>(handle)->attach_functor(
      [router = parent->address(), id = handle.id()](const caf::error& reason) {
        if (!reason || reason == caf::exit_reason::normal || reason == caf::exit_reason::unreachable) return;
        if (auto r = caf::actor_cast<caf::actor>(router)) caf::anon_send(r, lost_atom_v, id);
      });
  return handle;
}

}  // namespace herald::actors
