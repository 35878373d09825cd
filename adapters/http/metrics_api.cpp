// GET /metrics (SPEC §6): Prometheus text. The store's part is read here;
// the engine's (scheduler, providers) comes through engine_hooks.

#include "adapters/http/api.hpp"
#include "adapters/http/json_error.hpp"
#include "domain/metrics_text.hpp"

namespace herald::adapters {

void api::metrics(const http_request& req, http_responder respond) const {
  using domain::labels;
  if (req.method != "GET") return respond(error_response(405, status{errc::invalid_argument, "use GET /metrics"}));
  std::string out;
  const auto stats = options_.store->stats();
  const auto m = options_.store->metrics();
  domain::write_metric(out, "herald_events_appended_total", "counter", "Events appended to the log (ingested and engine).",
                       {{"", static_cast<double>(stats.events)}});
  domain::write_metric(out, "herald_events_duplicate_total", "counter", "Events ignored as re-sent (source, id).",
                       {{"", static_cast<double>(stats.duplicates)}});
  domain::write_metric(out, "herald_store_commits_total", "counter", "Group commits written.",
                       {{"", static_cast<double>(stats.commits)}});
  domain::write_histogram(out, "herald_store_commit_seconds", "Duration of a group commit, fsync included.",
                          {{"", m.commit_seconds}});
  const auto stalls = options_.store->write_stalls();
  domain::write_metric(out, "herald_store_write_stalls_total", "counter",
                       "Times RocksDB found a column family's memtables or files waiting for a flush or compaction "
                       "beyond its bounds, so that it delayed or stopped every write.",
                       {{labels({{"condition", "delayed"}}), static_cast<double>(stalls.delays)},
                        {labels({{"condition", "stopped"}}), static_cast<double>(stalls.stops)}});
  domain::write_metric(out, "herald_store_write_stall_seconds_total", "counter",
                       "Time the store's writes waited in RocksDB's delays and stops, counted as each wait ends.",
                       {{"", stalls.seconds}});
  domain::write_metric(out, "herald_store_writes_stopped", "gauge", "1 while RocksDB stops every write.",
                       {{"", stalls.stopped_now ? 1.0 : 0.0}});
  domain::samples attempts, instances;
  for (const auto& [key, n] : m.attempt_records) {
    attempts.emplace_back(labels({{"channel", key.first}, {"status", key.second}}), static_cast<double>(n));
  }
  for (const auto& [state, n] : m.instance_records) {
    instances.emplace_back(labels({{"state", state}}), static_cast<double>(n));
  }
  domain::write_metric(out, "herald_attempt_records_total", "counter",
                       "Attempt records written (each status change is one), by channel and status.", attempts);
  domain::write_metric(out, "herald_instance_records_total", "counter",
                       "Workflow instance records written (each state change is one), by state.", instances);
  auto send = [respond](std::string text) {
    http_response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = std::move(text);
    respond(std::move(r));
  };
  if (!options_.engine.engine_metrics) return send(std::move(out));
  options_.engine.engine_metrics([out = std::move(out), send](std::string engine) mutable { send(out + engine); });
}

}  // namespace herald::adapters
