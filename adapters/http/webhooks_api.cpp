// POST /v1/webhooks/sendgrid, /twilio, /post and /einvoice (SPEC §5): verify
// the provider's signature over the raw body (SendGrid, Twilio; the other two
// need an API key when keys are configured), keep every event raw in the log
// (a provider redelivering an event is a duplicate and changes nothing),
// and hand each event Herald can place to the entity owning its attempt.
// Events for attempts Herald does not know are kept as orphans.

#include <map>

#include <boost/json.hpp>

#include "adapters/http/access_policy.hpp"
#include "adapters/http/api.hpp"
#include "adapters/http/json_error.hpp"
#include "adapters/http/view_reader.hpp"
#include "adapters/providers/sendgrid_dialect.hpp"
#include "adapters/providers/status_webhook.hpp"
#include "adapters/providers/twilio_dialect.hpp"
#include "adapters/providers/webhook_signature.hpp"
#include "domain/engine_event.hpp"
#include "domain/rfc3339.hpp"
#include "storage/preferences_reader.hpp"

namespace json = boost::json;

namespace herald::adapters {
namespace {

using providers::provider_event;

status verify_sendgrid(const webhook_options& o, const http_request& req, std::int64_t now_ms) {
  const auto signature = req.header("x-twilio-email-event-webhook-signature");
  const auto timestamp = req.header("x-twilio-email-event-webhook-timestamp");
  if (!signature || !timestamp) {
    return status{errc::unauthenticated, "the SendGrid signature headers are missing",
                  "X-Twilio-Email-Event-Webhook-Signature"};
  }
  if (!providers::verify_sendgrid_signature(o.sendgrid_public_key, *timestamp, req.body, *signature)) {
    return status{errc::unauthenticated, "the SendGrid signature does not match the body",
                  "X-Twilio-Email-Event-Webhook-Signature"};
  }
  char* end = nullptr;
  const long long ts = std::strtoll(timestamp->c_str(), &end, 10);
  if (!end || *end != '\0' || std::llabs(now_ms / 1000 - ts) > o.sendgrid_max_age_s) {
    return status{errc::unauthenticated, "the SendGrid timestamp is too old or too far ahead (a replay?)",
                  "X-Twilio-Email-Event-Webhook-Timestamp"};
  }
  return status::ok();
}

std::string query_of(const http_request& req) {
  const auto q = req.target.find('?');
  return q == std::string::npos ? std::string() : req.target.substr(q + 1);
}

status verify_twilio(const webhook_options& o, const http_request& req, const providers::form_params& form) {
  const auto signature = req.header("x-twilio-signature");
  if (!signature) return status{errc::unauthenticated, "the X-Twilio-Signature header is missing", "X-Twilio-Signature"};
  std::string url = o.twilio_public_url.empty() ? "http://" + req.header("host").value_or("") + req.path
                                                : o.twilio_public_url;
  if (const std::string q = query_of(req); !q.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + q;
  if (!providers::verify_twilio_signature(o.twilio_auth_token, url, form, *signature)) {
    return status{errc::unauthenticated, "the Twilio signature does not match the URL and parameters",
                  "X-Twilio-Signature"};
  }
  return status::ok();
}

}  // namespace

void api::webhook(const http_request& req, const std::string& provider, http_responder respond) const {
  if (req.method != "POST") {
    return respond(error_response(405, status{errc::invalid_argument, "use POST " + req.path}));
  }
  const webhook_options& o = options_.webhooks;
  const std::int64_t now = options_.engine.now_ms ? options_.engine.now_ms() : 0;
  // Post and e-invoice have no signature scheme: an API key when keys exist.
  const bool signed_provider = provider == "sendgrid" ? !o.sendgrid_public_key.empty()
                               : provider == "twilio" ? !o.twilio_auth_token.empty()
                                                      : false;
  if (!signed_provider && auth_.enabled()) {
    const auto key = auth_.authenticate(req.header("authorization"));
    if (!key) {
      return respond(error_response(401, status{errc::unauthenticated,
                                                "configure the provider's webhook key, or send an API key",
                                                "Authorization"}));
    }
    if (!role_allows(key->role, "ingest")) {
      return respond(error_response(
          403, status{errc::forbidden, "the key '" + key->name + "' has the role " + key->role + "; webhooks need ingest",
                      "Authorization"}));
    }
  }
  std::vector<provider_event> events;
  if (provider == "sendgrid") {
    if (signed_provider) {
      if (auto st = verify_sendgrid(o, req, now); !st) return respond(error_response(401, st));
    }
    auto parsed = providers::parse_sendgrid_events(req.body);
    if (!parsed) return respond(error_response(400, parsed.error()));
    events = std::move(*parsed);
  } else if (provider == "post" || provider == "einvoice") {
    auto parsed = providers::parse_status_webhook(provider, req.body);
    if (!parsed) return respond(error_response(400, parsed.error()));
    events = std::move(*parsed);
  } else {
    auto form = providers::form_decode(req.body);
    if (!form) return respond(error_response(400, status{errc::invalid_argument, "the body is not a form", "body"}));
    if (signed_provider) {
      if (auto st = verify_twilio(o, req, *form); !st) return respond(error_response(401, st));
    }
    auto parsed = providers::parse_twilio_callback(*form, query_of(req));
    if (!parsed) return respond(error_response(400, parsed.error()));
    events.push_back(std::move(*parsed));
  }

  // Each event, raw, as a provider event of the attempt's owner (or an orphan).
  auto batch = std::make_shared<std::vector<domain::cloud_event>>();
  auto owners = std::make_shared<std::vector<std::string>>();
  std::vector<domain::cloud_event> preference_changes;  // after the raw events, same batch
  std::map<std::string, domain::preferences> working;  // recipient -> preferences being changed
  std::size_t orphans = 0;
  for (auto& e : events) {
    const attempt_facts facts = facts_of_attempt(*options_.store, e.attempt_id);
    const std::string& owner = facts.owner;
    orphans += owner.empty();
    if (e.at_ms == 0) e.at_ms = now;
    const std::string event_id = !e.event_id.empty() ? e.event_id : domain::stable_hash_hex(e.raw_json, 32);
    json::object data{{"provider", e.provider},
                      {"event", e.event},
                      {"effect", providers::effect_name(e.effect)},
                      {"status", e.status},
                      {"reason", e.reason},
                      {"attempt_id", e.attempt_id},
                      {"provider_message_id", e.provider_message_id},
                      {"recipient", e.recipient},
                      {"at", domain::format_rfc3339_ms(e.at_ms)},
                      {"orphan", owner.empty()},
                      {"raw", json::parse(e.raw_json)}};
    auto ev = domain::engine::make_event(domain::engine::provider_event_received, e.provider + "-" + event_id, owner,
                                         json::serialize(data), domain::format_rfc3339_ms(now));
    ev.source = "herald/webhooks/" + e.provider;
    batch->push_back(std::move(ev));
    owners->push_back(owner);
    // Unsubscribe and spam report stop email to the recipient; a group
    // unsubscribe stops the attempt's category (SPEC §5).
    const bool opt_out = e.effect == providers::event_effect::opt_out;
    if ((opt_out || e.effect == providers::event_effect::opt_in) && !facts.recipient.empty()) {
      auto it = working.find(facts.recipient);
      if (it == working.end()) it = working.emplace(facts.recipient, storage::read_preferences(*options_.store, facts.recipient)).first;
      if (e.event.rfind("group_", 0) == 0) {
        if (!facts.category.empty()) it->second.categories[facts.category] = opt_out;
      } else {
        it->second.channels["email"] = opt_out;
      }
      preference_changes.push_back(preference_event("prefs-" + e.provider + "-" + event_id, facts.recipient,
                                                    it->second, e.provider + ": " + e.event, now));
    }
  }
  for (auto& change : preference_changes) batch->push_back(std::move(change));
  auto shared_events = std::make_shared<std::vector<provider_event>>(std::move(events));
  auto hook = options_.engine.report_status;
  options_.store->append_async(
      domain::event_kind::engine_event, batch,
      [respond, owners, shared_events, hook, orphans](result<storage::append_outcome> out) {
        if (!out) {
          auto r = error_response(503, out.error());
          r.headers.emplace_back("Retry-After", "1");
          return respond(std::move(r));
        }
        // Raw events come first in the batch; preference changes follow.
        for (std::size_t i = 0; i < shared_events->size(); ++i) {
          const provider_event& e = (*shared_events)[i];
          const bool moves_attempt = e.effect == providers::event_effect::status ||
                                     e.effect == providers::event_effect::note ||
                                     e.effect == providers::event_effect::engagement;
          if (out->seqs[i] == 0 || (*owners)[i].empty() || !moves_attempt || !hook) continue;
          hook((*owners)[i], e.attempt_id, e.provider_message_id, {{e.status, e.reason, e.at_ms}});
        }
        std::size_t accepted = 0;
        for (std::size_t i = 0; i < shared_events->size(); ++i) accepted += out->seqs[i] != 0;
        respond(json_response(200, json::object{{"accepted", accepted},
                                                {"duplicates", shared_events->size() - accepted},
                                                {"orphans", orphans}}));
      });
}

}  // namespace herald::adapters
