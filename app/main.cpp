// The herald program: parses the command line and runs one command.
// Usage errors exit 2 with a message; --help works on every command.

#include <iostream>

#include <CLI/CLI.hpp>

#include "adapters/cli/commands.hpp"
#include "adapters/cli/config_file.hpp"
#include "adapters/cli/json_log.hpp"
#include "app/serve_command.hpp"

namespace {

struct serve_flags {
  std::string config;
  std::optional<std::string> listen, data_dir, sync;
  std::optional<std::uint32_t> sync_interval_ms, passivate_after_ms, max_in_flight;
  std::optional<std::uint64_t> max_body_bytes;
  std::string log_level = "info";
  bool time_skipping = false;
  bool fault_injection = false;
  std::string load_dir;
  std::string web_dir = HERALD_WEB_DIR;
};

void add_range_options(CLI::App* cmd, herald::adapters::log_range& range) {
  cmd->add_option("--from-seq", range.from_seq, "first sequence number (inclusive)");
  cmd->add_option("--to-seq", range.to_seq, "last sequence number (inclusive)");
  cmd->add_option("--since", range.since, "recorded at or after this RFC 3339 time");
  cmd->add_option("--until", range.until, "recorded before this RFC 3339 time");
  cmd->add_option("--entity", range.entity, "only events about this entity (Module/Id)");
}

int serve(const serve_flags& flags) {
  herald::domain::herald_config config;
  if (!flags.config.empty()) {
    auto loaded = herald::adapters::load_config_file(flags.config);
    if (!loaded) {
      std::cerr << "herald serve: " << loaded.error().to_string() << "\n";
      return 2;
    }
    config = std::move(*loaded);
  }
  if (!herald::adapters::set_log_level(flags.log_level)) {
    std::cerr << "herald serve: --log-level must be debug, info, warn or error\n";
    return 2;
  }
  if (flags.listen) {
    auto l = herald::domain::parse_listen(*flags.listen);
    if (!l) {
      std::cerr << "herald serve: --listen: " << l.error().message() << "\n";
      return 2;
    }
    config.listen = *flags.listen;
  }
  if (flags.data_dir) config.data_dir = *flags.data_dir;
  if (flags.sync) {
    auto p = herald::domain::parse_sync_policy(*flags.sync);
    if (!p) {
      std::cerr << "herald serve: --sync " << p.error().message() << "\n";
      return 2;
    }
    config.sync = *p;
  }
  if (flags.sync_interval_ms) config.sync_interval_ms = *flags.sync_interval_ms;
  if (flags.passivate_after_ms) config.passivate_after_ms = *flags.passivate_after_ms;
  if (flags.max_in_flight) config.http.max_in_flight = *flags.max_in_flight;
  if (flags.max_body_bytes) config.http.max_body_bytes = *flags.max_body_bytes;
  herald::app::serve_options options;
  options.time_skipping = flags.time_skipping;
  options.fault_injection = flags.fault_injection;
  options.load_dir = flags.load_dir;
  options.web_dir = flags.web_dir;
  return herald::app::run_serve(config, options);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Herald: an engine for automated customer communications"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("herald ") + HERALD_VERSION);

  serve_flags sf;
  auto* serve_cmd = app.add_subcommand("serve", "Run the engine: HTTP API, actors, event store");
  serve_cmd->add_option("--config", sf.config, "JSON configuration file")->check(CLI::ExistingFile);
  serve_cmd->add_option("--listen", sf.listen, "host:port (default 127.0.0.1:8080; port 0 picks one)");
  serve_cmd->add_option("--data", sf.data_dir, "data folder (default ./herald-data)");
  serve_cmd->add_option("--sync", sf.sync, "every_commit (default) | interval_ms | none");
  serve_cmd->add_option("--sync-interval-ms", sf.sync_interval_ms, "fsync period for --sync interval_ms");
  serve_cmd->add_option("--max-body-bytes", sf.max_body_bytes, "request body limit (default 10 MiB)");
  serve_cmd->add_option("--max-in-flight", sf.max_in_flight, "requests handled at once before 503");
  serve_cmd->add_option("--passivate-after-ms", sf.passivate_after_ms, "idle time before an entity actor stops");
  serve_cmd->add_option("--log-level", sf.log_level, "debug | info | warn | error");
  serve_cmd->add_option("--load", sf.load_dir,
                        "load DIR/templates/*.json, DIR/workflows/*.json and DIR/data/*.ndjson at start");
  serve_cmd->add_option("--web", sf.web_dir, "the page's folder, served at / (default: this source tree's web/)");
  // A later flag wins, so scripts can pass defaults and users override them.
  for (auto* opt : serve_cmd->get_options()) {
    opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  serve_cmd->add_flag("--time-skipping", sf.time_skipping,
                      "run on a virtual clock; POST /v1/admin/time advances it (for testing workflows)");
  serve_cmd->add_flag("--fault-injection", sf.fault_injection,
                      "let PUT /v1/admin/faults make disk writes fail (for testing; never in production)");

  herald::adapters::ingest_args ia;
  ia.data_dir = "./herald-data";
  auto* ingest_cmd = app.add_subcommand("ingest", "Ingest NDJSON CloudEvents from a file or stdin");
  ingest_cmd->add_option("input", ia.input, "NDJSON file, or - for standard input")->required();
  auto* ingest_data = ingest_cmd->add_option("--data", ia.data_dir, "data folder to append to (default ./herald-data)");
  ingest_cmd->add_option("--url", ia.url, "post to a running server instead (http://host:port)")
      ->excludes(ingest_data);
  ingest_cmd->add_option("--api-key", ia.api_key, "API key for --url")->envname("HERALD_API_KEY");
  ingest_cmd->add_option("--batch", ia.batch, "events per append or request (default 1000)")
      ->check(CLI::Range(1, 100000));

  std::string replay_data;
  herald::adapters::log_range replay_range;
  auto* replay_cmd = app.add_subcommand("replay", "Rebuild projections from the event log");
  replay_cmd->add_option("--data", replay_data, "data folder")->required();
  add_range_options(replay_cmd, replay_range);

  std::string export_data;
  herald::adapters::log_range export_range;
  auto* export_cmd = app.add_subcommand("export", "Stream the event log as NDJSON to stdout");
  export_cmd->add_option("--data", export_data, "data folder")->required();
  add_range_options(export_cmd, export_range);
  export_cmd->add_option("--kind", export_range.kind,
                         "ingested (what sources sent), engine (what Herald wrote) or all (default)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      return app.exit(e);  // --help, --version
    }
    std::cerr << "herald: " << e.what() << "\nRun 'herald --help' or 'herald COMMAND --help'.\n";
    return 2;
  }

  if (serve_cmd->parsed()) return serve(sf);
  if (ingest_cmd->parsed()) return herald::adapters::run_ingest(ia);
  if (replay_cmd->parsed()) return herald::adapters::run_replay(replay_data, replay_range);
  if (export_cmd->parsed()) return herald::adapters::run_export(export_data, export_range);
  return 2;
}
