// What an operator asks of an entity's communications and instances
// (SPEC §6, seeds 000 and 003): resend a communication with the content it
// had, execute an instance again on fresh data, log a manual interaction.
// Each makes new attempts; nothing already recorded changes.

#include <optional>
#include <set>

#include <boost/json.hpp>

#include "actors/entity_engine.hpp"
#include "domain/channel_choice.hpp"
#include "domain/workflow.hpp"
#include "domain/engine_event.hpp"
#include "domain/json_fields.hpp"
#include "domain/rfc3339.hpp"
#include "storage/entity_reader.hpp"
#include "storage/preferences_reader.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace json = boost::json;
using herald::domain::json_fields::str;

namespace herald::actors {

std::pair<engine_step, operation_result> entity_engine::on_operation(const operation& op,
                                                                     const domain::entity_record* record,
                                                                     bool deleted) {
  clear_cache();
  operation_result out;
  result<engine_step> step = status{errc::invalid_argument, "unknown operation " + op.kind, "kind"};
  if (op.kind == "resend") step = resend(op, out.attempts);
  if (op.kind == "execute") step = execute(op, record, deleted, out.attempts);
  if (op.kind == "log") step = log_interaction(op, out.attempts);
  if (op.kind == "send") step = send_now(op, record, out.attempts);
  if (op.kind == "redispatch") step = redispatch(op, out.attempts);
  if (op.kind == "reconcile") step = reconcile(op, out.attempts);
  if (!step) {
    out.code = errc_name(step.error().code());
    out.message = step.error().message();
    out.field = step.error().field();
    return {engine_step{}, out};
  }
  out.ok = true;
  json::array attempts;
  for (const auto& id : out.attempts) attempts.emplace_back(id);
  step->events.push_back(domain::engine::make_unique_event(
      domain::engine::operation_performed, key_,
      json::serialize(json::object{{"operation", op.kind}, {"target", op.target}, {"by", op.caller},
                                   {"attempts", std::move(attempts)}}),
      domain::format_rfc3339_ms(ctx_->clock->now_ms())));
  return {std::move(*step), out};
}

result<engine_step> entity_engine::redispatch(const operation& op, std::vector<std::string>& made) {
  auto a = attempt_state(op.target);
  if (!a) return status{errc::not_found, "no attempt " + op.target};
  engine_step step;
  if (a->status != "queued") return step;  // settled meanwhile (a late webhook): nothing to hand over
  made.push_back(a->id);
  std::string content = json::serialize(content_of(a->id));
  step.dispatches.push_back(std::make_shared<dispatch_request>(dispatch_request{std::move(*a), std::move(content), key_}));
  return step;
}

result<engine_step> entity_engine::reconcile(const operation& op, std::vector<std::string>& made) {
  json::error_code ec;
  const json::value body = json::parse(op.body_json, ec);
  const std::string outcome = !ec && body.is_object() ? str(body.get_object(), "outcome") : std::string();
  if (outcome != "sent" && outcome != "not_sent") {
    return status{errc::invalid_argument, "'outcome' must be \"sent\" or \"not_sent\"", "outcome"};
  }
  auto a = attempt_state(op.target);
  if (!a) return status{errc::not_found, "no attempt " + op.target};
  if (a->status != "unknown") {
    return status{errc::invalid_argument,
                  "attempt " + op.target + " is " + a->status + "; only an unknown outcome is reconciled", "id"};
  }
  const std::string note = !ec && body.is_object() ? str(body.get_object(), "note") : std::string();
  dispatch_outcome settled;
  settled.statuses.push_back({outcome, "reconciled by " + op.caller + (note.empty() ? "" : ": " + note),
                              ctx_->clock->now_ms()});
  made.push_back(a->id);
  return record_outcome(work().written[a->id] = std::move(*a), settled);
}

result<engine_step> entity_engine::resend(const operation& op, std::vector<std::string>& made) {
  domain::communication_view* found = find_communication(op.target);
  if (!found) return status{errc::not_found, "no communication " + op.target};
  domain::communication_view& comm = *found;
  // The attempt to send again: the one asked for, else the newest that went
  // through a channel (a task that followed a bounce is not a message).
  json::error_code ec;
  const json::value body = op.body_json.empty() ? json::value(json::object{}) : json::parse(op.body_json, ec);
  const std::string asked = !ec && body.is_object() ? str(body.get_object(), "attempt") : std::string();
  std::optional<domain::attempt_view> latest;
  for (int n = comm.attempts; n >= 1 && !latest; --n) {
    const std::string id = domain::attempt_id(comm.id, n);
    if (!asked.empty() && id != asked) continue;
    auto a = attempt_state(id);
    if (a && (a->channel != "manual" || !asked.empty())) latest = std::move(*a);
  }
  if (!latest) {
    return asked.empty() ? status{errc::invalid_argument,
                                  "a manual interaction is not resent; complete its task or log a new one", "id"}
                         : status{errc::not_found, "no attempt " + asked + " in communication " + op.target, "attempt"};
  }
  if (latest->channel == "manual") {
    return status{errc::invalid_argument, "a manual interaction is not resent; complete its task or log a new one",
                  "attempt"};
  }
  const std::int64_t now = ctx_->clock->now_ms();
  domain::attempt_view a = successor(*latest, comm, latest->channel);
  a.resend_of = latest->id;
  a.automated = false;
  json::object content = content_of(latest->id);
  std::string note = "resent by " + op.caller;
  // Attachments are kept for a while only (SPEC §6): older ones go without.
  const json::value* attachments = content.if_contains("attachments");
  if (attachments && attachments->is_array() && !attachments->get_array().empty() &&
      now - latest->created_at > std::int64_t{ctx_->attachments_days} * 86400000) {
    content["attachments"] = json::array{};
    content["attachments_dropped"] = true;
    note += "; sent without its attachments (older than " + std::to_string(ctx_->attachments_days) + " days)";
  }
  a.timeline.push_back({a.status, note, now});
  made.push_back(a.id);
  return emit_attempt(std::move(a), comm, content, std::nullopt);
}

result<engine_step> entity_engine::execute(const operation& op, const domain::entity_record* record, bool deleted,
                                           std::vector<std::string>& made) {
  domain::instance_view* found = find_instance(op.target);
  if (!found) return status{errc::not_found, "no instance " + op.target};
  if (deleted || !record) return status{errc::invalid_argument, "the entity " + key_ + " is deleted or unknown", "id"};
  domain::instance_view& inst = *found;
  const auto defs = ctx_->definitions->current();
  auto w = defs->workflows.find(inst.workflow);
  if (w == defs->workflows.end()) {
    return status{errc::invalid_argument, "the workflow " + inst.workflow + " no longer exists", "id"};
  }
  engine_step step;
  // Every send action again, rendered from the data as it is now; the
  // operator's request stands in for the rules.
  std::string reason;
  inst.updated_at = ctx_->clock->now_ms();
  for (auto& action : inst.actions) {
    const std::size_t before = action.attempts.size();
    step.append(fire_action(inst, action, w->second, *record));
    made.insert(made.end(), action.attempts.begin() + static_cast<std::ptrdiff_t>(before), action.attempts.end());
    reason = action.reason;
    const bool sends = w->second.workflow.actions[static_cast<std::size_t>(action.index)].kind == domain::action_kind::send;
    domain::record_fired(inst, action, sends, "executed by " + op.caller, inst.updated_at);
  }
  settle_state(inst, reason);
  engine_step done = persist_instance(inst, {}, {});
  done.append(std::move(step));
  return done;
}

result<engine_step> entity_engine::log_interaction(const operation& op, std::vector<std::string>& made) {
  json::error_code ec;
  const json::value body = json::parse(op.body_json, ec);
  if (ec || !body.is_object()) return status{errc::parse_error, "the body must be a JSON object", "body"};
  const json::object& b = body.get_object();
  for (const auto& kv : b) {
    static const std::set<std::string> known = {"mapped_to", "type", "category", "subject", "body",
                                               "date_created", "channel", "recipient"};
    if (!known.count(std::string(kv.key()))) {
      return status{errc::invalid_argument, "unknown member", std::string(kv.key())};
    }
    if (!kv.value().is_string()) return status{errc::invalid_argument, "must be text", std::string(kv.key())};
  }
  const std::string type = str(b, "type");
  if (type.empty()) return status{errc::invalid_argument, "say what it was, e.g. \"Phone call\"", "type"};
  const std::string subject = str(b, "subject");
  if (subject.empty()) return status{errc::invalid_argument, "a logged interaction needs a subject", "subject"};
  const std::int64_t now = ctx_->clock->now_ms();
  std::int64_t created = now;
  if (!str(b, "date_created").empty()) {
    auto at = domain::parse_rfc3339_ms(str(b, "date_created"));
    if (!at) return status{errc::invalid_argument, "must be an RFC 3339 time", "date_created"};
    created = *at;
  }
  const std::string channel = str(b, "channel").empty() ? "manual" : str(b, "channel");
  if (channel != "manual" && channel != "email" && channel != "sms" && channel != "post") {
    return status{errc::invalid_argument, "must be manual, email, sms or post", "channel"};
  }
  const std::string recipient_key = str(b, "recipient").empty() ? key_ : str(b, "recipient");
  const domain::entity_record* who = recipient_key == key_ ? nullptr : lookup()(recipient_key);
  auto snapshot = storage::read_entity(*ctx_->store, key_);
  const std::string label = snapshot && *snapshot && (*snapshot)->record ? (*snapshot)->record->label : "";
  domain::communication_view comm;
  comm.id = domain::communication_id(key_, "manual/" + domain::engine::next_event_id("log"), recipient_key);
  comm.mapped_to = key_;
  comm.mapped_to_label = label;
  comm.topic = "manual";
  comm.recipient.key = recipient_key;
  comm.recipient.name = who ? who->label : (recipient_key == key_ ? label : "");
  comm.subject = subject;
  comm.type = type;
  comm.category = str(b, "category");
  domain::attempt_view a;
  a.communication_id = comm.id;
  a.attempt = 1;
  a.id = comm.id + ".1";
  a.channel = channel;
  a.provider = "manual";
  a.mapped_to = key_;
  a.mapped_to_label = label;
  a.recipient = comm.recipient;
  a.subject = subject;
  a.type = type;
  a.category = comm.category;
  a.automated = false;
  a.sender = op.caller;
  a.status = "completed";
  a.status_reason = "logged by " + op.caller;
  a.created_at = a.sent_at = a.updated_at = created;
  a.timeline.push_back({"completed", a.status_reason, created});
  work().comms[comm.id] = comm;
  made.push_back(a.id);
  return emit_attempt(std::move(a), work().comms[comm.id], json::object{{"subject", subject}, {"text", str(b, "body")}},
                      std::nullopt);
}

result<engine_step> entity_engine::send_now(const operation& op, const domain::entity_record* record,
                                            std::vector<std::string>& made) {
  if (!record) return status{errc::invalid_argument, "Herald has no record of " + key_, "mapped_to"};
  json::error_code ec;
  const json::value body = json::parse(op.body_json, ec);
  if (ec || !body.is_object()) return status{errc::parse_error, "the body must be a JSON object", "body"};
  const json::object& b = body.get_object();
  static const std::set<std::string> known = {"mapped_to", "to", "channel", "template", "subject", "text",
                                             "html", "category", "type"};
  for (const auto& kv : b) {
    if (!known.count(std::string(kv.key()))) return status{errc::invalid_argument, "unknown member", std::string(kv.key())};
  }
  // Recipients in the workflow syntax: "@self", "User", "Delegate<-Account.User", "role:NAME".
  const json::value* to = b.if_contains("to");
  if (!to || !to->is_array() || to->get_array().empty()) {
    return status{errc::invalid_argument, "name the recipients, e.g. [\"@self\"]", "to"};
  }
  std::vector<domain::recipient_spec> specs;
  for (std::size_t i = 0; i < to->get_array().size(); ++i) {
    const json::value& v = to->get_array()[i];
    auto spec = v.is_string() ? domain::parse_recipient(v.get_string())
                              : result<domain::recipient_spec>(status{errc::invalid_argument, "must be text"});
    if (!spec) return status{errc::invalid_argument, spec.error().message(), "to[" + std::to_string(i) + "]"};
    specs.push_back(std::move(*spec));
  }
  const std::string channel = str(b, "channel").empty() ? "email" : str(b, "channel");
  if (!domain::contact_member(channel)) {
    return status{errc::invalid_argument, "must be email, sms, post or einvoice", "channel"};
  }
  // The message: a template rendered from each mapped-to entity, or text.
  const auto defs = ctx_->definitions->current();
  const versioned_template* tmpl = nullptr;
  if (!str(b, "template").empty()) {
    auto t = defs->templates.find(str(b, "template"));
    if (t == defs->templates.end()) return status{errc::invalid_argument, "no such template", "template"};
    tmpl = &t->second;
  } else if (str(b, "subject").empty() || (str(b, "text").empty() && str(b, "html").empty())) {
    return status{errc::invalid_argument, "give a template, or a subject with text or html", "subject"};
  }
  const auto targets = resolve_targets(specs, *record);
  if (targets.empty()) return status{errc::invalid_argument, "nobody matches these recipients", "to"};
  engine_step step;
  const std::int64_t now = ctx_->clock->now_ms();
  const std::string batch = domain::engine::next_event_id("send");
  for (const auto& t : targets) {
    const domain::entity_record* root = t.mapped_to == key_ ? record : lookup()(t.mapped_to);
    const domain::entity_record* who = t.recipient == key_ ? record : lookup()(t.recipient);
    if (!root) continue;
    json::object content;
    if (tmpl) {
      auto rendered = render_from(tmpl->message, t.mapped_to, *root);
      if (!rendered) return status{errc::invalid_argument, rendered.error().message(), "template"};
      content = json::object{{"subject", rendered->subject}, {"html", rendered->html}, {"text", rendered->text},
                             {"template", str(b, "template")}, {"template_version", tmpl->version}};
    } else {
      content = json::object{{"subject", str(b, "subject")}, {"html", str(b, "html")}, {"text", str(b, "text")}};
    }
    domain::communication_view comm;
    comm.id = domain::communication_id(t.mapped_to, "adhoc/" + batch, t.recipient);
    comm.mapped_to = t.mapped_to;
    comm.mapped_to_label = root->label;
    comm.topic = "adhoc";
    comm.recipient.key = t.recipient;
    comm.category = str(b, "category");
    comm.type = str(b, "type");
    domain::attempt_view a;
    a.communication_id = comm.id;
    a.attempt = 0;  // successor() makes it 1
    a.mapped_to = t.mapped_to;
    a.mapped_to_label = root->label;
    a.recipient.key = t.recipient;
    if (who) {
      a.recipient.name = who->label;
      a.recipient.email = domain::contact_text(*who, "email");
      a.recipient.mobile = domain::contact_text(*who, "mobile");
      if (const json::value* addr = who->contact.if_contains("address")) a.recipient.address = *addr;
    }
    a.subject = str(content, "subject");
    a.category = comm.category;
    a.type = comm.type;
    a.automated = false;
    a.template_id = tmpl ? str(b, "template") : "";
    a.template_version = tmpl ? tmpl->version : 0;
    comm.recipient = a.recipient;
    comm.subject = a.subject;
    const auto choice = domain::choose_channel({channel}, 0, who,
                                               storage::read_preferences(*ctx_->store, t.recipient), comm.category);
    a = successor(a, comm, choice.channel.empty() ? "manual" : choice.channel);
    a.sender = ctx_->sender_for(a.channel);
    if (choice.channel.empty()) {
      a.status = "not_sent";
      a.status_reason = choice.reason;
    }
    a.timeline.push_back({a.status, "sent by " + op.caller + (choice.detail.empty() ? "" : "; " + choice.detail), now});
    work().comms[comm.id] = comm;
    made.push_back(a.id);
    step.append(emit_attempt(std::move(a), work().comms[comm.id], content, std::nullopt));
  }
  return step;
}

}  // namespace herald::actors
