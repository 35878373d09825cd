#pragma once
// Herald's HTTP API. It translates HTTP to store calls and back and knows
// nothing of actors: what happens to accepted events and definition changes
// goes through hooks the program wires (on_accepted, engine_hooks).
//
//   POST /v1/events                     202 {"accepted","duplicates","first_seq","last_seq"}
//   GET  /v1/entities/{module}/{id}     snapshot, changed fields, history (paged),
//                                       instances (with rule traces), communications
//   PUT/GET/DELETE /v1/workflows/{id}, /v1/templates/{id}; GET /v1/workflows, /v1/templates
//   GET  /v1/log, /v1/log/{id}, /v1/communications, /v1/queue, /v1/tasks, /v1/instances/{id}
//   POST /v1/admin/time                 {"advance": "PT2M"} | {"set": RFC 3339}; only
//                                       under --time-skipping
//   GET  /healthz, /readyz              liveness and readiness, never authenticated
//
// Errors use the shape of json_error.hpp. With API keys configured, every
// other endpoint needs `Authorization: Bearer KEY` (401 otherwise).

#include <functional>
#include <memory>

#include "adapters/http/api_key_auth.hpp"
#include "adapters/http/http_message.hpp"
#include "domain/communication.hpp"
#include "domain/module_schema.hpp"
#include "domain/preferences.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace herald::adapters {

// What the API needs from the running engine.
struct engine_hooks {
  std::function<bool(const std::string& template_id)> template_exists;
  // Returns the id of a workflow that uses the template, empty when none.
  std::function<std::string(const std::string& template_id)> template_used_by;
  // Installs a definition change (already durable) in the running engine.
  std::function<status(const std::string& kind, const std::string& id, int version,
                       const std::string& body_json)>
      definition_put;
  std::function<void(const std::string& kind, const std::string& id)> definition_deleted;
  std::function<std::int64_t()> now_ms;
  // Only under --time-skipping: moves the virtual clock to `to_ms`, firing
  // everything due on the way, then calls back with the new time.
  std::function<void(std::int64_t to_ms, std::function<void(result<std::int64_t>)>)> advance_time;
  // Hands a provider's report on an attempt (already durable as a provider
  // event) to the entity that owns the attempt.
  std::function<void(const std::string& owner, const std::string& attempt_id, const std::string& provider_message_id,
                     const std::vector<domain::status_change>& statuses)>
      report_status;
  // Hands an operator's request to the entity that owns its target; calls
  // back with what it made (or why not). Null: operations unavailable.
  std::function<void(const std::string& owner, const std::string& kind, const std::string& target,
                     const std::string& caller, const std::string& body_json,
                     std::function<void(result<std::vector<std::string>>)>)>
      operate;
  // Calls back with the engine's part of GET /metrics (Prometheus text):
  // pending sends, each provider's breaker, queue and call latency.
  std::function<void(std::function<void(std::string)>)> engine_metrics;
};

// How webhooks prove where they come from (SPEC §5). A provider whose key
// is empty is accepted with an API key instead (when keys are configured).
struct webhook_options {
  std::string sendgrid_public_key;  // base64 DER; verifies X-Twilio-Email-Event-Webhook-Signature
  std::int64_t sendgrid_max_age_s = 600;  // older timestamps are replays
  std::string twilio_auth_token;          // verifies X-Twilio-Signature
  // The public URL Twilio posts to (its signature covers it); the request's
  // query string is appended. Empty: http://<Host header><path>.
  std::string twilio_public_url;
};

struct api_options {
  storage::rocksdb_event_store* store = nullptr;  // not owned; must outlive the api
  // Runs on the store's writer thread once a batch is durable: hand off, do
  // not block.
  std::function<void(const storage::event_batch&, const storage::append_outcome&)> on_accepted;
  std::vector<domain::api_key_config> api_keys;
  // Returns whether the node is ready to take traffic.
  std::function<bool()> ready;
  engine_hooks engine;
  webhook_options webhooks;
  std::string web_dir;  // the page's files (web/); empty: no page
  // Browser origins allowed to call the API (CORS); empty: no CORS headers.
  std::vector<std::string> cors_origins;
  // Returns why ingest must wait (the engine is too far behind), or "".
  std::function<std::string()> overloaded;
  // The store's fault switch when started with --fault-injection; null: off.
  std::shared_ptr<storage::storage_faults> faults;
  // The modules the config declares: a workflow PUT whose paths name
  // nothing on them answers 400 (domain/module_schema.hpp).
  domain::module_schemas modules;
};

// The event that stores a recipient's preferences whole (preferences_api.cpp).
domain::cloud_event preference_event(const std::string& id, const std::string& recipient, domain::preferences p,
                                     const std::string& by, std::int64_t now_ms);

class api {
 public:
  explicit api(api_options options);

  // Handles one request; answers through `respond`, possibly from another
  // thread (ingest answers from the store's writer once durable).
  void handle(http_request request, http_responder respond) const;

 private:
  void ingest(const http_request& request, http_responder respond) const;
  http_response entity(const http_request& request) const;
  // definitions_api.cpp
  void definitions(const http_request& request, const std::string& kind, const std::string& id,
                   http_responder respond) const;
  // queries_api.cpp
  http_response log(const http_request& request) const;
  http_response attempt(const std::string& id) const;
  http_response communications(const http_request& request) const;
  http_response queue(const http_request& request) const;
  http_response tasks(const http_request& request) const;
  http_response workflow_errors(const http_request& request) const;
  http_response instance(const std::string& id) const;
  // admin_api.cpp
  void admin_time(const http_request& request, http_responder respond) const;
  http_response admin_faults(const http_request& request) const;
  // download_api.cpp
  void download(const http_request& request, http_responder respond) const;
  // metrics_api.cpp
  void metrics(const http_request& request, http_responder respond) const;
  // operations_api.cpp
  void resend(const http_request& request, const std::string& communication_id, http_responder respond) const;
  void bulk_resend(const http_request& request, http_responder respond) const;
  void execute(const http_request& request, const std::string& instance_id, http_responder respond) const;
  void reconcile(const http_request& request, const std::string& attempt_id, http_responder respond) const;
  void operate_on(const http_request& request, const char* kind, const std::string& id,
                  const std::function<std::string()>& owner_of, const std::string& missing, const std::string& body,
                  http_responder respond) const;
  void log_interaction(const http_request& request, http_responder respond) const;
  void send_message(const http_request& request, http_responder respond) const;
  void on_mapped_to(const http_request& request, const std::string& kind, http_responder respond) const;
  // tasks_api.cpp
  void complete_task(const http_request& request, const std::string& id, http_responder respond) const;
  // preferences_api.cpp
  void preferences(const http_request& request, const std::string& recipient, http_responder respond) const;
  // webhooks_api.cpp
  void webhook(const http_request& request, const std::string& provider, http_responder respond) const;

  api_options options_;
  api_key_auth auth_;
};

}  // namespace herald::adapters
