#pragma once
// Herald's HTTP API (so far: SPEC §3 ingest, the entity view, health). It
// translates HTTP to store calls and back and knows nothing of actors: what
// happens to accepted events is the `on_accepted` hook the program wires.
//
//   POST /v1/events                     202 {"accepted","duplicates","first_seq","last_seq"}
//   GET  /v1/entities/{module}/{id}     snapshot, changed fields, event history (paged)
//   GET  /healthz, /readyz              liveness and readiness, never authenticated
//
// Errors use the shape of json_error.hpp. With API keys configured, every
// other endpoint needs `Authorization: Bearer KEY` (401 otherwise).

#include <functional>
#include <memory>

#include "adapters/http/api_key_auth.hpp"
#include "adapters/http/http_message.hpp"
#include "storage/event_store.hpp"

namespace herald::adapters {

struct api_options {
  storage::event_store* store = nullptr;  // not owned; must outlive the api
  // Runs on the store's writer thread once a batch is durable: hand off, do
  // not block.
  std::function<void(const storage::event_batch&, const storage::append_outcome&)> on_accepted;
  std::vector<domain::api_key_config> api_keys;
  // Returns whether the node is ready to take traffic.
  std::function<bool()> ready;
};

class api {
 public:
  explicit api(api_options options);

  // Handles one request; answers through `respond`, possibly from another
  // thread (ingest answers from the store's writer once durable).
  void handle(http_request request, http_responder respond) const;

 private:
  void ingest(const http_request& request, http_responder respond) const;
  http_response entity(const http_request& request) const;

  api_options options_;
  api_key_auth auth_;
};

}  // namespace herald::adapters
