#pragma once
// Herald's configuration: the JSON file of SPEC §10, with defaults for every
// member so that no file at all runs a single loopback node with sandbox
// providers. parse_config() rejects unknown members and wrong types with the
// dotted path of the bad key (status::field()), e.g. "organisation.sending_time".

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/module_schema.hpp"
#include "domain/status.hpp"

namespace herald::domain {

enum class sync_policy {
  every_commit,  // fsync the WAL in every group commit before acknowledging
  interval,      // acknowledge after the OS write; fsync every sync_interval_ms
  none,          // never fsync explicitly (survives a process crash, not power loss)
};

struct api_key_config {
  std::string key;
  std::string role;  // admin | operator | viewer | ingest
  std::string name;  // shown in audit records; defaults to "key-<n>"
};

struct organisation_config {
  std::string time_zone = "Europe/London";
  std::string sending_time = "08:30";
  std::vector<std::string> business_days = {"Mon", "Tue", "Wed", "Thu", "Fri"};
  std::vector<std::string> holidays;  // YYYY-MM-DD
};

struct http_config {
  std::uint64_t max_body_bytes = 10ull * 1024 * 1024;
  std::uint32_t max_in_flight = 256;  // requests being handled at once; more get 503
  std::uint32_t threads = 2;
  // Events not yet handled plus attempts at providers; above it ingest
  // answers 503 with Retry-After until the engine catches up.
  std::uint64_t max_backlog = 200000;
  // Origins whose pages may call the API from a browser (CORS), exactly as
  // the browser sends them ("https://ops.example.com"). Empty: none.
  std::vector<std::string> cors_origins;
};

struct retention_config {
  std::uint32_t attachments_days = 28;
  std::uint32_t provider_events_days = 62;
};

struct herald_config {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./herald-data";
  sync_policy sync = sync_policy::every_commit;
  std::uint32_t sync_interval_ms = 100;
  std::vector<api_key_config> api_keys;
  organisation_config organisation;
  std::map<std::string, std::vector<std::string>> roles;  // role name -> entity keys
  module_schemas modules;  // declared modules: workflows' paths are checked against them
  std::map<std::string, std::string> channels = {
      {"email", "sandbox"}, {"sms", "sandbox"}, {"post", "sandbox"}, {"einvoice", "sandbox"}};
  boost::json::object providers;  // validated per provider, kept as given
  retention_config retention;
  http_config http;
  std::uint32_t passivate_after_ms = 60000;  // idle entity actors are stopped after this
};

// Returns the config described by `json_text`, defaults filled in.
result<herald_config> parse_config(std::string_view json_text);

// Returns the (host, port) of a "host:port" listen address ("[::1]:8080" too).
result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view listen);

// Returns true for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

// Checks rules that span members: a non-loopback listen address needs API keys.
status check_startup(const herald_config& config);

result<sync_policy> parse_sync_policy(std::string_view text);

}  // namespace herald::domain
