#include "actors/entity_engine.hpp"

#include <atomic>
#include <chrono>

#include <boost/json.hpp>

#include "domain/channel_choice.hpp"
#include "domain/delivery_status.hpp"
#include "domain/engine_event.hpp"
#include "domain/engine_facts.hpp"
#include "domain/json_text.hpp"
#include "domain/entity_path.hpp"
#include "domain/iso_duration.hpp"
#include "domain/local_time.hpp"
#include "domain/rfc3339.hpp"
#include "domain/sender.hpp"
#include "storage/entity_reader.hpp"
#include "storage/preferences_reader.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace json = boost::json;

namespace herald::actors {
namespace {

std::string now_text(const engine_context* ctx) { return domain::format_rfc3339_ms(ctx->clock->now_ms()); }

// The manual task an attempt hands to an operator.
domain::task_view task_for(const domain::attempt_view& a, std::string title, std::string reason, std::int64_t now) {
  domain::task_view t;
  t.id = "t-" + a.id;
  t.title = std::move(title);
  t.reason = std::move(reason);
  t.mapped_to = a.mapped_to;
  t.mapped_to_label = a.mapped_to_label;
  t.recipient = a.recipient.key;
  t.workflow = a.workflow;
  t.instance_id = a.instance_id;
  t.created_at = now;
  return t;
}

bool contact_invalid(const domain::entity_record& r, const std::string& member) {
  return std::find(r.contact_invalid.begin(), r.contact_invalid.end(), member) != r.contact_invalid.end();
}

// Moves `from`'s elements to the end of `to`: the whole vector when `to` is
// empty, as it mostly is (a step appends its one sub-step).
template <class T>
void move_to_end(std::vector<T>& to, std::vector<T>& from) {
  if (to.empty()) {
    to = std::move(from);
    return;
  }
  to.reserve(to.size() + from.size());
  for (auto& x : from) to.push_back(std::move(x));
}

}  // namespace

void engine_step::append(engine_step&& other) {
  move_to_end(events, other.events);
  move_to_end(timers, other.timers);
  move_to_end(cancelled, other.cancelled);
  move_to_end(dispatches, other.dispatches);
}

entity_engine::entity_engine(std::string key, const engine_context* context)
    : key_(std::move(key)), ctx_(context) {}

const domain::entity_key& entity_engine::parsed_key() {
  auto& w = work();
  if (!w.key) w.key = domain::parse_entity_key(key_).value_or(domain::entity_key{});
  return *w.key;
}

namespace {

// The view `id` of `kind` as `from_json` reads it: nullopt when there is
// none; a read error as it is; a view that is not JSON, or not what
// `from_json` takes, as corruption.
template <class View>
result<std::optional<View>> read_view(const storage::rocksdb_event_store& store,
                                      storage::rocksdb_event_store::view_kind kind, const std::string& id,
                                      result<View> (*from_json)(const json::value&)) {
  auto value = store.view_value(kind, id);
  if (!value) return value.error();
  if (!*value) return std::optional<View>{};
  auto view = from_json(**value);
  if (!view) return view.error();
  return std::optional<View>{std::move(*view)};
}

}  // namespace

status entity_engine::restore() {
  using store_t = storage::rocksdb_event_store;
  std::vector<std::string> ids;
  auto st = ctx_->store->scan_index(store_t::index_kind::entity_instances, key_, "",
                                    [&](const std::string& id, const std::string&) {
                                      ids.push_back(id);
                                      return true;
                                    });
  if (!st) return st;
  // Every instance is read: which workflows started and how far the entity's
  // events were handled come from all of them, and scheduled ones are judged
  // again by later events.
  for (const auto& id : ids) {
    auto view = read_view(*ctx_->store, store_t::view_kind::instance, id, &domain::instance_from_json);
    if (!view) return view.error();
    if (!*view) continue;
    started_.insert((*view)->workflow);
    position_ = std::max(position_, (*view)->trigger_seq);
    std::string view_id = (*view)->id;
    work().instances[std::move(view_id)] = std::move(**view);
  }
  // Communications are only named (each attempt's id names its
  // communication): a step that needs one reads it then, as it does after
  // release_settled (find_communication). An entity with many
  // communications is restored without reading any of them.
  return ctx_->store->scan_index(store_t::index_kind::entity_log, key_, "",
                                 [this](const std::string& attempt_id, const std::string&) {
                                   const std::string_view id = domain::communication_of_attempt(attempt_id);
                                   if (!id.empty()) released_comms_.emplace(id);
                                   return true;
                                 });
}

void entity_engine::release_settled() {
  if (!work_) return;
  auto& instances = work_->instances;
  for (auto it = instances.begin(); it != instances.end();) {
    if (it->second.state == "scheduled") {
      ++it;
      continue;
    }
    released_instances_.insert(it->first);
    it = instances.erase(it);
  }
  for (auto& entry : work_->comms) released_comms_.insert(entry.first);
  if (instances.empty()) {
    work_.reset();
  } else {  // scheduled instances wait for their timers here
    work_->comms.clear();
    work_->written.clear();
    work_->cache.clear();
  }
}

namespace {

// The view `id` from `live`, or read back from the store into it when it is
// among `released`; nullptr when there is none. A view released but not
// readable (or gone) sets `read_failed`: the step must not go on without it.
template <class View>
View* recall(std::map<std::string, View>& live, std::set<std::string>& released, const std::string& id,
             const storage::rocksdb_event_store& store, storage::rocksdb_event_store::view_kind kind,
             result<View> (*from_json)(const json::value&), bool& read_failed) {
  if (auto it = live.find(id); it != live.end()) return &it->second;
  if (!released.count(id)) return nullptr;
  auto view = read_view(store, kind, id, from_json);
  if (!view || !*view) {
    read_failed = true;
    return nullptr;
  }
  released.erase(id);
  return &(live[id] = std::move(**view));
}

}  // namespace

domain::instance_view* entity_engine::find_instance(const std::string& id) {
  return recall(work().instances, released_instances_, id, *ctx_->store,
                storage::rocksdb_event_store::view_kind::instance, &domain::instance_from_json, read_failed_);
}

domain::communication_view* entity_engine::find_communication(const std::string& id) {
  return recall(work().comms, released_comms_, id, *ctx_->store,
                storage::rocksdb_event_store::view_kind::communication, &domain::communication_from_json,
                read_failed_);
}

domain::entity_lookup entity_engine::lookup() {
  return [this](const std::string& key) -> const domain::entity_record* {
    auto& cache = work().cache;
    auto it = cache.find(key);
    if (it == cache.end()) {
      std::optional<domain::entity_record> record;
      auto snap = storage::read_entity(*ctx_->store, key);
      if (snap && *snap) record = std::move((*snap)->record);
      it = cache.emplace(key, std::move(record)).first;
    }
    return it->second ? &*it->second : nullptr;
  };
}

engine_step entity_engine::on_event(const entity_update& update, const domain::entity_record* record,
                                    const std::vector<std::string>& changed, bool deleted) {
  engine_step step;
  clear_cache();
  position_ = std::max(position_, update.seq);
  if (deleted) {
    // Pending timers of a deleted entity are cancelled (SPEC §3).
    if (work_) {
      for (auto& [id, inst] : work_->instances) step.append(cancel(inst, "the entity was deleted"));
    }
    return step;
  }
  if (!record || !ctx_->definitions) {
    return step;
  }
  // Publish changed links for reverse-link recipients (Delegate<-CourseDate).
  const bool links_changed = std::any_of(changed.begin(), changed.end(),
                                         [&](const std::string& f) { return record->links.count(f) > 0; });
  if (links_changed) {
    json::object links;
    for (const auto& [name, target] : record->links) links[name] = target;
    step.events.push_back(domain::engine::make_event(domain::engine::links_updated,
                                                     "links-" + std::to_string(update.seq), key_,
                                                     json::serialize(json::object{{"links", std::move(links)}}),
                                                     now_text(ctx_)));
  }
  const auto defs = ctx_->definitions->current();
  const domain::entity_key& pk = parsed_key();
  for (const versioned_workflow* w : defs->triggered_by(pk.module, update.type)) {
    if ((w->workflow.once_per_entity && started_.count(w->workflow.id)) ||
        knows_instance("i-" + std::to_string(update.seq) + "-" + w->workflow.id)) {
      continue;
    }
    std::vector<domain::rule_trace> trace;
    domain::rule_context rc{&pk, record, &changed, lookup()};
    if (domain::evaluate_rules(w->workflow.rules, rc, trace)) {
      step.append(start_instance(*w, update, *record, changed, std::move(trace)));
    } else {
      json::object data{{"workflow", w->workflow.id},
                        {"version", w->version},
                        {"trigger_seq", update.seq},
                        {"fired", false},
                        {"trace", domain::to_json(trace)}};
      // The id derives from the event: handling it again is a duplicate.
      const std::string id = "eval-" + std::to_string(update.seq) + "-" + w->workflow.id;
      step.events.push_back(domain::engine::make_event(domain::engine::workflow_evaluated, id, key_,
                                                       json::serialize(data), now_text(ctx_)));
    }
  }
  step.append(schedule_dates(update, *record));
  return step;
}

engine_step entity_engine::cancel(domain::instance_view& inst, const std::string& reason) {
  std::vector<std::pair<std::int64_t, int>> remove;
  for (auto& a : inst.actions) {
    if (a.state == "scheduled") {
      remove.emplace_back(a.due_ms, a.index);
      a.state = "not_sent";
      a.reason = "cancelled";
    }
  }
  if (remove.empty()) {
    return {};
  }
  inst.state = "cancelled";
  inst.reason = reason;
  inst.updated_at = ctx_->clock->now_ms();
  inst.timeline.push_back({"cancelled", -1, reason, inst.updated_at, 0});
  return persist_instance(inst, {}, std::move(remove));
}

std::optional<std::int64_t> entity_engine::date_due(const domain::workflow_trigger& t,
                                                    const domain::entity_record& record) {
  auto v = domain::resolve_path(parsed_key(), record, t.date_field, lookup());
  if (!v.found || !v.value.is_string()) {
    return std::nullopt;
  }
  const std::string text(v.value.get_string());
  const date::time_zone* zone = ctx_->calendar->zone();
  std::int64_t base;
  if (auto day = domain::parse_local_date(text)) {
    // A date: the trigger's time of day (or the sending time), local.
    base = ctx_->calendar->at_local(*day, t.at_minutes.value_or(ctx_->calendar->sending_minutes()));
  } else if (auto instant = domain::parse_rfc3339_ms(text)) {
    base = *instant;
  } else {
    return std::nullopt;
  }
  std::int64_t due = domain::add_duration(base, t.offset, zone);
  if (t.at_minutes && !domain::parse_local_date(text)) {
    // A date-time with an explicit time of day: that time on the resulting local day.
    const std::int64_t local_day = domain::utc_to_local_ms(zone, due) / 86400000;
    due = ctx_->calendar->at_local(local_day, *t.at_minutes);
  }
  return due;
}

engine_step entity_engine::schedule_dates(const entity_update& update, const domain::entity_record& record) {
  engine_step step;
  const auto defs = ctx_->definitions->current();
  const domain::entity_key& pk = parsed_key();
  for (const versioned_workflow* w : defs->date_triggered(pk.module)) {
    const auto due = date_due(w->workflow.trigger, record);
    // One instance per (workflow, entity, date); ids travel in URLs, so the
    // entity enters as a short stable hash rather than its key.
    const std::string prefix = "i-date-" + w->workflow.id + "-" +
                               domain::stable_hash_hex(key_, 12) + "-";
    const std::string id = due ? prefix + std::to_string(*due) : std::string();
    bool current = false;
    for (auto& [iid, inst] : work().instances) {
      if (iid.compare(0, prefix.size(), prefix) != 0 || inst.state != "scheduled") continue;
      if (iid == id) {
        current = true;  // same date: keep waiting
      } else {
        step.append(cancel(inst, due ? "rescheduled: the date changed" : "the date was removed"));
      }
    }
    if (due && !current && !knows_instance(id)) {
      // The rules are checked when it falls due; the trace records them now for the explain view.
      std::vector<domain::rule_trace> trace;
      const std::vector<std::string> none;
      domain::rule_context rc{&pk, &record, &none, lookup()};
      const bool held = domain::evaluate_rules(w->workflow.rules, rc, trace);
      step.append(make_instance(*w, id, update, record, {}, std::move(trace), held,
                                std::max(*due, ctx_->clock->now_ms())));
    }
  }
  return step;
}

engine_step entity_engine::start_instance(const versioned_workflow& w, const entity_update& update,
                                          const domain::entity_record& record,
                                          const std::vector<std::string>& changed,
                                          std::vector<domain::rule_trace> trace) {
  return make_instance(w, "i-" + std::to_string(update.seq) + "-" + w.workflow.id, update, record, changed,
                       std::move(trace), /*rules_held=*/true, std::nullopt);
}

engine_step entity_engine::make_instance(const versioned_workflow& w, std::string id, const entity_update& update,
                                         const domain::entity_record& record,
                                         const std::vector<std::string>& changed,
                                         std::vector<domain::rule_trace> trace, bool rules_held,
                                         std::optional<std::int64_t> due) {
  const std::int64_t now = ctx_->clock->now_ms();
  domain::instance_view inst;
  inst.id = std::move(id);
  inst.workflow = w.workflow.id;
  inst.workflow_version = w.version;
  inst.entity = key_;
  inst.entity_label = record.label;
  inst.trigger_seq = update.seq;
  inst.trigger = due ? "date:" + w.workflow.trigger.date_field : update.type;
  inst.state = "scheduled";
  inst.created_at = inst.updated_at = now;
  inst.changed = changed;
  inst.trace = std::move(trace);
  inst.timeline.push_back({"created", -1, "", now, 0});
  std::vector<std::pair<std::int64_t, int>> timers;
  std::vector<std::size_t> fire_now;  // actions fired in this step (below)
  const date::time_zone* zone = ctx_->calendar->zone();
  for (std::size_t i = 0; i < w.workflow.actions.size(); ++i) {
    const auto& action = w.workflow.actions[i];
    domain::action_state a;
    a.index = static_cast<int>(i);
    const std::int64_t start = due.value_or(now);
    a.due_ms = action.delay ? domain::add_duration(start, *action.delay, zone) : start;
    if (action.schedule == domain::send_schedule::business_window) {
      a.due_ms = ctx_->calendar->next_window(a.due_ms);
    }
    // An action already due fires in this step (below): no timer, no
    // scheduler round trip, and one group commit less before it is sent.
    // Reverse-link recipients wait for a timer: it fires once the events
    // routed before it (which publish those links) are handled.
    if (a.due_ms > now || domain::reads_reverse_links(action)) {
      timers.emplace_back(a.due_ms, a.index);
      inst.timeline.push_back({"scheduled", a.index, "", now, a.due_ms});
    } else {
      fire_now.push_back(i);
    }
    a.recipients = resolve_recipients(action.to, record);
    inst.actions.push_back(std::move(a));
  }
  if (!due) {
    started_.insert(w.workflow.id);
  }
  domain::instance_view& stored = work().instances[inst.id] = std::move(inst);
  engine_step fired;
  for (std::size_t i : fire_now) fired.append(fire_step(stored, stored.actions[i], &record, false, rules_held));
  engine_step step = persist_instance(stored, std::move(timers), {}, /*created=*/true);
  // The instance event goes first: attempts name it.
  step.append(std::move(fired));
  return step;
}

engine_step entity_engine::persist_instance(const domain::instance_view& inst,
                                            std::vector<std::pair<std::int64_t, int>> add,
                                            std::vector<std::pair<std::int64_t, int>> remove, bool created) {
  engine_step step;
  std::string data = domain::exact_text([&](domain::text_sink& out) {
    out += "{\"instance\":";
    domain::append_json(out, inst);
    for (const auto& [name, list] : {std::pair{"timers_add", &add}, std::pair{"timers_remove", &remove}}) {
      domain::json_text::append_key(out, name);
      domain::json_text::append_array(out, *list, [](domain::text_sink& o, const std::pair<std::int64_t, int>& timer) {
        o += "{\"due\":";
        domain::json_text::append_int(o, timer.first);
        o += ",\"action\":";
        domain::json_text::append_int(o, timer.second);
        o += '}';
      });
    }
    out += created ? ",\"created\":true}" : ",\"created\":false}";
  });
  auto facts = std::make_shared<domain::engine_facts>();
  facts->instance = domain::instance_facts{inst.id, inst.entity, inst.state, inst.created_at, created, remove, add};
  step.events.push_back(domain::engine::make_unique_event(domain::engine::instance_updated, key_, std::move(data),
                                                          now_text(ctx_)));
  step.events.back().facts = std::move(facts);
  for (const auto& [due, action] : add) step.timers.push_back(timer_ref{due, inst.id, action});
  for (const auto& [due, action] : remove) step.cancelled.push_back(timer_ref{due, inst.id, action});
  return step;
}

std::vector<entity_engine::target> entity_engine::resolve_targets(
    const std::vector<domain::recipient_spec>& specs, const domain::entity_record& record) {
  std::vector<target> out;
  auto add = [&](const std::string& mapped_to, const std::string& recipient) {
    for (const auto& t : out) {
      if (t.mapped_to == mapped_to && t.recipient == recipient) return;
    }
    out.push_back(target{mapped_to, recipient});
  };
  for (const auto& spec : specs) {
    switch (spec.type) {
      case domain::recipient_spec::kind::self:
        add(key_, key_);
        break;
      case domain::recipient_spec::kind::role:
        if (auto it = ctx_->roles.find(spec.role); it != ctx_->roles.end()) {
          for (const auto& member : it->second) add(key_, member);
        }
        break;
      case domain::recipient_spec::kind::path: {
        auto v = domain::resolve_path(parsed_key(), record, spec.path, lookup());
        if (v.found && !v.entity.empty()) add(key_, v.entity);
        break;
      }
      case domain::recipient_spec::kind::reverse_link: {
        std::vector<std::string> sources;
        const std::string module_prefix = spec.module + "/";
        auto st = ctx_->store->linked_from(key_, spec.path, [&](const std::string& source) {
          if (source.compare(0, module_prefix.size(), module_prefix) == 0) sources.push_back(source);
          return true;
        });
        (void)st;  // a read error reaches nobody rather than the wrong people
        for (const auto& source : sources) {
          const domain::entity_record* r = lookup()(source);
          auto link = r ? r->links.find(spec.path) : decltype(r->links.end()){};
          if (!r || link == r->links.end() || link->second != key_) continue;  // links elsewhere now
          if (spec.tail.empty()) {
            add(source, source);
            continue;
          }
          auto v = domain::resolve_path(*domain::parse_entity_key(source), *r, spec.tail, lookup());
          if (v.found && !v.entity.empty()) add(source, v.entity);
        }
        break;
      }
    }
  }
  return out;
}

std::vector<std::string> entity_engine::resolve_recipients(const std::vector<domain::recipient_spec>& specs,
                                                           const domain::entity_record& record) {
  std::vector<std::string> out;
  for (const auto& t : resolve_targets(specs, record)) out.push_back(t.recipient);
  return out;
}

engine_step entity_engine::on_fire(const std::string& instance_id, int action_index,
                                   const domain::entity_record* record, bool deleted) {
  clear_cache();
  domain::instance_view* found = find_instance(instance_id);
  if (!found) {
    return {};
  }
  domain::instance_view& inst = *found;
  if (action_index < 0 || action_index >= static_cast<int>(inst.actions.size())) {
    return {};
  }
  domain::action_state& action = inst.actions[static_cast<std::size_t>(action_index)];
  if (action.state != "scheduled") {
    return persist_instance(inst, {}, {{action.due_ms, action.index}});  // a stale timer: drop it
  }
  engine_step step = fire_step(inst, action, record, deleted);
  engine_step done = persist_instance(inst, {}, {{action.due_ms, action.index}});
  // The instance event goes first: attempts name it.
  done.append(std::move(step));
  return done;
}

engine_step entity_engine::fire_step(domain::instance_view& inst, domain::action_state& action,
                                     const domain::entity_record* record, bool deleted,
                                     std::optional<bool> rules_held) {
  engine_step step;
  inst.updated_at = ctx_->clock->now_ms();
  const auto defs = ctx_->definitions->current();
  auto w = defs->workflows.find(inst.workflow);
  std::string stop_reason;
  if (deleted) {
    stop_reason = "cancelled";
  } else if (w == defs->workflows.end() || !w->second.workflow.enabled || !record) {
    stop_reason = "cancelled";
  } else if (rules_held) {
    // Evaluated on this record in this step already: the same inputs give
    // the same answer (rules read the record, its links and its changes).
    inst.fire_trace = inst.trace;
    if (!*rules_held) stop_reason = "rules_no_longer_match";
  } else {
    inst.fire_trace.clear();
    const domain::entity_key& pk = parsed_key();
    domain::rule_context rc{&pk, record, &inst.changed, lookup()};
    if (!domain::evaluate_rules(w->second.workflow.rules, rc, inst.fire_trace)) {
      stop_reason = "rules_no_longer_match";
    }
  }
  bool sends = false;
  if (!stop_reason.empty()) {
    action.state = "not_sent";
    action.reason = stop_reason;
  } else {
    step.append(fire_action(inst, action, w->second, *record));
    sends = w->second.workflow.actions[static_cast<std::size_t>(action.index)].kind == domain::action_kind::send;
  }
  domain::record_fired(inst, action, sends, "", inst.updated_at);
  settle_state(inst, action.reason);
  return step;
}

result<domain::rendered_message> entity_engine::render_from(const domain::message_template& t,
                                                          const std::string& key, const domain::entity_record& root) {
  auto lk = lookup();
  // Usually this actor's own entity, whose key the step has parsed already.
  std::optional<domain::entity_key> other;
  if (key != key_) other = domain::parse_entity_key(key).value_or(domain::entity_key{});
  const domain::entity_key& root_key = other ? *other : parsed_key();
  return domain::render_template(t, [&](const std::string& path) -> std::optional<std::string> {
    auto v = domain::resolve_path(root_key, root, path, lk);
    // A path ending on a linked entity is not a value to print.
    return v.found && v.entity.empty() ? domain::merge_text(v.value) : std::nullopt;
  });
}

void entity_engine::settle_state(domain::instance_view& inst, const std::string& reason) {
  // The instance settles once no action is waiting.
  bool waiting = false, any_sent = false, any_error = false;
  for (const auto& a : inst.actions) {
    waiting = waiting || a.state == "scheduled";
    any_sent = any_sent || a.state == "dispatched";
    any_error = any_error || a.state == "errored";
  }
  inst.state = waiting ? "scheduled" : any_error ? "errored" : any_sent ? "dispatched" : "not_sent";
  inst.reason = inst.state == "not_sent" || inst.state == "errored" ? reason : "";
}

engine_step entity_engine::fire_action(domain::instance_view& inst, domain::action_state& action,
                                       const versioned_workflow& w, const domain::entity_record& record) {
  engine_step step;
  const auto& def = w.workflow.actions[static_cast<std::size_t>(action.index)];
  const std::int64_t now = ctx_->clock->now_ms();
  const auto defs = ctx_->definitions->current();
  const versioned_template* tmpl = nullptr;
  if (def.kind == domain::action_kind::send) {
    auto t = defs->templates.find(def.template_id);
    if (t == defs->templates.end()) {
      action.state = "errored";
      action.reason = "template '" + def.template_id + "' no longer exists";
      return step;
    }
    tmpl = &t->second;
  }
  const auto targets = resolve_targets(def.to, record);
  action.recipients.clear();
  for (const auto& t : targets) action.recipients.push_back(t.recipient);
  // Recipients Herald has no record of cannot be written to: an operator has
  // to find out who they are (seed 002), before anything is rendered.
  auto open_task = [&](const std::string& recipient, const std::string& title) {
    domain::task_view t;
    t.id = "t-" + inst.id + "-" + std::to_string(action.index) + (recipient.empty() ? "" : "-" + recipient);
    t.title = title;
    t.reason = "no_contact";
    t.mapped_to = key_;
    t.mapped_to_label = record.label;
    t.recipient = recipient;
    t.workflow = inst.workflow;
    t.instance_id = inst.id;
    t.created_at = now;
    step.events.push_back(task_event(t));
  };
  const std::string on = record.label.empty() ? key_ : record.label;
  std::vector<target> known;
  for (const auto& t : targets) {
    if (t.recipient == key_ || lookup()(t.recipient)) {
      known.push_back(t);
    } else {
      open_task(t.recipient, "Recipient " + t.recipient + " of '" + w.workflow.title + "' on " + on + " is unknown");
    }
  }
  if (targets.empty()) {
    open_task("", "Find a recipient for '" + w.workflow.title + "' on " + on);
  }
  if (known.empty()) {
    action.state = "not_sent";
    action.reason = "no_contact";
    return step;
  }
  // Render once per mapped-to entity: merge fields are paths from it.
  std::map<std::string, domain::rendered_message> rendered_for;
  auto render_for = [&](const std::string& mapped_to, const domain::entity_record& root) -> status {
    if (!tmpl || rendered_for.count(mapped_to)) return status::ok();
    auto r = render_from(tmpl->message, mapped_to, root);
    if (!r) return r.error();
    rendered_for.emplace(mapped_to, std::move(*r));
    return status::ok();
  };
  const std::string topic = inst.workflow + "/" + std::to_string(action.index);
  // Copies go with every message of the action (recipients Herald knows).
  auto copies = [&](const std::vector<domain::recipient_spec>& specs) {
    std::vector<domain::recipient_info> out;
    for (const auto& t : resolve_targets(specs, record)) {
      const domain::entity_record* r = t.recipient == key_ ? &record : lookup()(t.recipient);
      if (!r) continue;
      domain::recipient_info info;
      info.key = t.recipient;
      info.name = r->label;
      info.email = contact_invalid(*r, "email") ? "" : domain::contact_text(*r, "email");
      info.mobile = domain::contact_text(*r, "mobile");
      out.push_back(std::move(info));
    }
    return out;
  };
  const auto cc = copies(def.cc);
  const auto bcc = copies(def.bcc);
  bool any_attempt = false;
  for (const auto& tgt : known) {
    const std::string& recipient_key = tgt.recipient;
    const std::string& mapped_to = tgt.mapped_to;
    const domain::entity_record* root = mapped_to == key_ ? &record : lookup()(mapped_to);
    if (!root) continue;
    if (auto st = render_for(mapped_to, *root); !st) {
      action.state = "errored";
      action.reason = st.message();
      return step;
    }
    const domain::rendered_message* rendered = tmpl ? &rendered_for.at(mapped_to) : nullptr;
    std::string customer = [&] {
      auto it = root->links.find("Account");
      return it == root->links.end() ? std::string() : it->second;
    }();
    const domain::entity_record* who = recipient_key == key_ ? &record : lookup()(recipient_key);
    domain::recipient_info info;
    info.key = recipient_key;
    if (who) {
      info.name = who->label;
      info.email = domain::contact_text(*who, "email");
      info.mobile = domain::contact_text(*who, "mobile");
      if (const json::value* a = who->contact.if_contains("address")) info.address = *a;
    }
    // The first channel whose contact is present, valid and not opted out.
    const auto choice = domain::choose_channel(
        def.kind == domain::action_kind::task ? std::vector<std::string>{"manual"} : def.channels, 0, who,
        storage::read_preferences(*ctx_->store, recipient_key), def.category);
    const std::string& channel = choice.channel;
    const std::string& not_sent_reason = choice.reason;
    const std::string comm_id = domain::communication_id(mapped_to, topic, recipient_key);
    const domain::communication_view* known = find_communication(comm_id);
    domain::communication_view comm = known ? *known : domain::communication_view{};
    domain::attempt_view a;
    a.communication_id = comm_id;
    a.attempt = comm.attempts + 1;
    a.id = domain::attempt_id(comm_id, a.attempt);
    a.channel = channel.empty() ? "manual" : channel;
    a.provider = channel.empty() || channel == "manual" ? "manual" : ctx_->provider_name_for(channel);
    a.mapped_to = mapped_to;
    a.mapped_to_label = root->label;
    a.customer = customer;
    a.recipient = info;
    if (a.channel == "email") {
      a.cc = cc;
      a.bcc = bcc;
    }
    // A person as sender makes sense for email; SMS goes from the configured number.
    const auto sender = a.channel == "email"
                            ? domain::resolve_sender(def.sender, *domain::parse_entity_key(mapped_to), *root, lookup(),
                                                     ctx_->roles, ctx_->sender_for(a.channel))
                            : domain::resolved_sender{ctx_->sender_for(a.channel), ""};
    a.sender = sender.mailbox;
    a.subject = rendered ? rendered->subject : def.title;
    a.type = def.type;
    a.category = def.category;
    a.workflow = inst.workflow;
    a.template_id = tmpl ? def.template_id : "";
    a.template_version = tmpl ? tmpl->version : 0;
    a.instance_id = inst.id;
    a.created_at = a.updated_at = now;
    std::optional<domain::task_view> task;
    if (channel.empty() && not_sent_reason == "opted_out") {
      // The recipient said no: nobody is asked to get round that.
      a.status = "not_sent";
      a.status_reason = not_sent_reason;
    } else if (channel.empty() || channel == "manual") {
      // Nothing automatic is possible: a manual task, as seed 002 describes.
      a.status = channel.empty() ? "not_sent" : "task_open";
      a.status_reason = channel.empty() ? not_sent_reason : "";
      task = task_for(a,
                      def.kind == domain::action_kind::task
                          ? def.title
                          : "Contact " + (info.name.empty() ? recipient_key : info.name) + " manually: " + a.subject,
                      channel.empty() ? not_sent_reason : "task", now);
    } else {
      a.status = "queued";
    }
    a.timeline.push_back({a.status, a.status_reason, now});
    if (!sender.note.empty()) a.timeline.push_back({"note", sender.note, now});
    comm.id = comm_id;
    comm.mapped_to = mapped_to;
    comm.mapped_to_label = root->label;
    comm.topic = topic;
    comm.recipient = std::move(info);
    comm.latest_status = a.status;
    comm.latest_attempt_id = a.id;
    comm.channel = a.channel;
    comm.subject = a.subject;
    comm.type = a.type;
    comm.category = a.category;
    comm.workflow = inst.workflow;
    comm.customer = std::move(customer);
    comm.attempts = a.attempt;
    comm.last_attempt_at = now;
    // Kept by moving: a copy of its dozen strings cost an allocation each.
    const domain::communication_view& stored = work().comms[comm_id] = std::move(comm);

    json::object extra;
    if (std::find(def.channels.begin(), def.channels.end(), "einvoice") != def.channels.end()) {
      // An e-invoice is built from the business document as it is now; the
      // snapshot keeps it with the attempt (a resend sends the same one).
      extra["document"] = json::object{{"key", mapped_to}, {"label", root->label}, {"fields", root->fields}};
      if (who) extra["buyer_peppol_id"] = domain::contact_text(*who, "peppol_id");
    }
    // The snapshot written as text at once (no object built and serialized).
    content_snapshot snapshot{
        domain::content_snapshot_json(a.subject, a.template_id, a.template_version, rendered, extra),
        rendered && !rendered->attachments.empty()};
    action.attempts.push_back(a.id);
    if (a.status == "queued" || a.status == "task_open") any_attempt = true;
    record_new_attempt(step, std::move(a), stored, std::move(snapshot), std::move(task));
  }
  action.state = any_attempt ? "dispatched" : "not_sent";
  action.reason = any_attempt ? "" : "no_contact";
  return step;
}

entity_engine::content_snapshot entity_engine::snapshot_of(const json::object& content) {
  content_snapshot s;
  s.json = json::serialize(content);
  const json::value* attachments = content.if_contains("attachments");
  s.has_attachments = attachments && attachments->is_array() && !attachments->get_array().empty();
  return s;
}

domain::cloud_event entity_engine::attempt_event(const domain::attempt_view& attempt,
                                                 const domain::communication_view& comm,
                                                 const content_snapshot* content) {
  std::string data = domain::exact_text([&](domain::text_sink& out) {
    out += "{\"attempt\":";
    if (content) {  // a new attempt; a status update changes the communication only through it
      domain::append_json(out, attempt);
      out += ",\"communication\":";
      domain::append_json(out, comm, &attempt);  // what it shares with the attempt is left to the attempt
      out += ",\"content\":";
      out += content->json;
    } else {  // a status update: what changed, over the attempt as created (engine_event.hpp)
      domain::append_status_json(out, attempt);
      out += ",\"status_only\":true";
    }
    out += '}';
  });
  auto facts = std::make_shared<domain::engine_facts>();
  domain::attempt_facts& f = facts->attempt.emplace();
  f.id = attempt.id;
  f.mapped_to = attempt.mapped_to;
  f.channel = attempt.channel;
  f.status = attempt.status;
  f.created_at_ms = attempt.created_at;
  if (content) {
    f.has_content = true;
    f.has_attachments = content->has_attachments;
    f.communication_id = comm.id;
  }
  auto event = domain::engine::make_unique_event(domain::engine::attempt_updated, key_, std::move(data),
                                                 now_text(ctx_));
  event.facts = std::move(facts);
  return event;
}

domain::cloud_event entity_engine::task_event(const domain::task_view& task) {
  return domain::engine::make_unique_event(domain::engine::task_updated, key_,
                                           json::serialize(json::object{{"task", domain::to_json(task)}}),
                                           now_text(ctx_));
}

engine_step entity_engine::on_outcome(const dispatch_request& request, const dispatch_outcome& outcome) {
  return record_outcome(*attempt_entry(request.attempt.id, &request.attempt), outcome);
}

engine_step entity_engine::on_status(const std::string& attempt_id, const dispatch_outcome& outcome) {
  domain::attempt_view* a = attempt_entry(attempt_id);
  return a ? record_outcome(*a, outcome) : engine_step{};
}

domain::attempt_view* entity_engine::attempt_entry(const std::string& attempt_id,
                                                   const domain::attempt_view* otherwise) {
  if (auto it = work().written.find(attempt_id); it != work().written.end()) return &it->second;
  auto stored = stored_attempt(attempt_id);
  if (!stored && !otherwise) return nullptr;
  return &(work().written[attempt_id] = stored ? std::move(*stored) : *otherwise);
}

std::optional<domain::attempt_view> entity_engine::attempt_state(const std::string& attempt_id) {
  // What this actor wrote last wins over the store: its append may not be
  // durable yet when the next report for the same attempt arrives.
  if (auto it = work().written.find(attempt_id); it != work().written.end()) return it->second;
  return stored_attempt(attempt_id);
}

std::optional<domain::attempt_view> entity_engine::stored_attempt(const std::string& attempt_id) {
  auto attempt = read_view(*ctx_->store, storage::rocksdb_event_store::view_kind::attempt, attempt_id,
                           &domain::attempt_from_json);
  if (attempt) return std::move(*attempt);
  // A read error is not "no such attempt": the report must wait. A corrupt
  // view cannot be waited for.
  if (attempt.error().code() != errc::corruption) read_failed_ = true;
  return std::nullopt;
}

engine_step entity_engine::record_outcome(domain::attempt_view& a, const dispatch_outcome& outcome) {
  engine_step step;
  // `a` is the attempt's state among the written attempts: changed where it is kept.
  if (outcome.statuses.empty() && (outcome.provider_message_id.empty() ||
                                   outcome.provider_message_id == a.provider_message_id)) {
    return step;
  }
  domain::communication_view* found = find_communication(a.communication_id);
  if (!found) return step;
  if (!outcome.provider_message_id.empty()) a.provider_message_id = outcome.provider_message_id;
  bool moved_to_failure = false;
  for (const auto& s : outcome.statuses) {
    a.timeline.push_back(s);
    a.updated_at = std::max(a.updated_at, s.at);
    if (!domain::status_supersedes(a.status, s.status)) continue;  // a late or timeline-only report
    moved_to_failure = moved_to_failure || domain::is_hard_failure(s.status);
    a.status = s.status;
    a.status_reason = s.reason;
    if (s.status == "sent" && a.sent_at == 0) a.sent_at = s.at;
  }
  domain::communication_view& comm = *found;
  if (comm.latest_attempt_id == a.id) {
    comm.latest_status = a.status;
  }
  // The communication's time key is unchanged (same attempt): no index move.
  step.events.push_back(attempt_event(a, comm, nullptr));
  if (moved_to_failure && comm.latest_attempt_id == a.id) {
    step.append(fall_back(a));  // adds a new attempt to the written ones: `a` stays where it is
  }
  return step;
}

engine_step entity_engine::fall_back(const domain::attempt_view& failed) {
  engine_step step;
  domain::communication_view* found = find_communication(failed.communication_id);
  if (!found || !find_instance(failed.instance_id)) return step;
  domain::communication_view& comm = *found;
  const auto defs = ctx_->definitions->current();
  auto w = defs->workflows.find(failed.workflow);
  const auto slash = comm.topic.rfind('/');
  if (w == defs->workflows.end() || slash == std::string::npos) return step;
  const std::size_t index = std::strtoul(comm.topic.c_str() + slash + 1, nullptr, 10);
  if (index >= w->second.workflow.actions.size()) return step;
  const auto& def = w->second.workflow.actions[index];
  const auto failed_at = std::find(def.channels.begin(), def.channels.end(), failed.channel);
  if (failed_at == def.channels.end()) return step;  // a manual or resent attempt: nothing follows
  clear_cache();
  const domain::entity_record* who = lookup()(failed.recipient.key);
  const auto choice = domain::choose_channel(def.channels, static_cast<std::size_t>(failed_at - def.channels.begin()) + 1,
                                             who, storage::read_preferences(*ctx_->store, failed.recipient.key),
                                             def.category);
  const std::int64_t now = ctx_->clock->now_ms();
  domain::attempt_view a = successor(failed, comm, choice.channel.empty() ? "manual" : choice.channel);
  if (who) {
    a.recipient.email = domain::contact_text(*who, "email");
    a.recipient.mobile = domain::contact_text(*who, "mobile");
  }
  const std::string why = "after " + failed.status + " on " + failed.channel + " (" + failed.id + ")";
  std::optional<domain::task_view> task;
  if (choice.channel.empty() && choice.reason == "opted_out") {
    a.status = "not_sent";
    a.status_reason = "opted_out";
  } else if (choice.channel.empty()) {
    a.status = "task_open";
    task = task_for(a,
                    "Contact " + (a.recipient.name.empty() ? a.recipient.key : a.recipient.name) + " manually: " +
                        a.subject + " (" + failed.channel + " " + failed.status + ")",
                    "delivery_failed", now);
  }
  a.timeline.push_back({a.status, "fallback " + why, now});
  return emit_attempt(std::move(a), comm, content_of(failed.id), std::move(task));
}

domain::attempt_view entity_engine::successor(const domain::attempt_view& previous,
                                              const domain::communication_view& comm, const std::string& channel) {
  domain::attempt_view a = previous;
  a.attempt = comm.attempts + 1;
  a.id = domain::attempt_id(comm.id, a.attempt);
  a.channel = channel;
  a.provider = channel == "manual" ? "manual" : ctx_->provider_name_for(channel);
  a.provider_message_id.clear();
  a.status = "queued";
  a.status_reason.clear();
  a.created_at = a.updated_at = ctx_->clock->now_ms();
  a.sent_at = 0;
  a.timeline.clear();
  if (channel != "email") {
    a.cc.clear();
    a.bcc.clear();
  }
  return a;
}

json::object entity_engine::content_of(const std::string& attempt_id) {
  auto text = ctx_->store->view(storage::rocksdb_event_store::view_kind::attempt_content, attempt_id);
  if (!text || !*text) return {};
  json::error_code ec;
  json::value v = json::parse(**text, ec);
  return !ec && v.is_object() ? std::move(v.get_object()) : json::object{};
}

engine_step entity_engine::emit_attempt(domain::attempt_view a, domain::communication_view& comm,
                                        const json::object& content, std::optional<domain::task_view> task) {
  engine_step step;
  comm.latest_status = a.status;
  comm.latest_attempt_id = a.id;
  comm.channel = a.channel;
  comm.attempts = a.attempt;
  comm.last_attempt_at = a.created_at;
  record_new_attempt(step, std::move(a), comm, snapshot_of(content), std::move(task));
  return step;
}

void entity_engine::record_new_attempt(engine_step& step, domain::attempt_view&& a,
                                       const domain::communication_view& comm, content_snapshot snapshot,
                                       std::optional<domain::task_view> task) {
  step.events.push_back(attempt_event(a, comm, &snapshot));
  work().written[a.id] = a;  // a copy: the dispatch request takes the attempt
  if (task) {
    step.events.push_back(task_event(*task));
  }
  if (a.status == "queued") {
    auto& request = *step.dispatches.emplace_back(std::make_shared<dispatch_request>());
    request.attempt = std::move(a);
    request.content_json = std::move(snapshot.json);
    request.owner = key_;
  }
}

}  // namespace herald::actors
