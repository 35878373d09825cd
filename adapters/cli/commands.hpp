#pragma once
// The offline commands of the `herald` program. Each returns the process
// exit code: 0 success, 1 failure (the reason printed to stderr), and
// prints its result to stdout.

#include <cstdint>
#include <optional>
#include <string>

namespace herald::adapters {

struct log_range {
  std::optional<std::uint64_t> from_seq;
  std::optional<std::uint64_t> to_seq;
  std::optional<std::string> since;  // RFC 3339, on recorded_at
  std::optional<std::string> until;
  std::optional<std::string> entity;  // Module/Id
  std::string kind = "all";           // export only: ingested | engine | all
};

struct ingest_args {
  std::string input;  // a file, or "-" for standard input
  std::string data_dir;
  std::string url;  // when set, POST to a running server instead
  std::string api_key;
  std::size_t batch = 1000;
};

// Reads NDJSON CloudEvents, validates all of them first (one bad line stores
// nothing and names the line), then appends them to a data folder or posts
// them to a server. Prints {"accepted","duplicates","first_seq","last_seq"}.
int run_ingest(const ingest_args& args);

// Rebuilds projections from the log; shows progress on a terminal.
int run_replay(const std::string& data_dir, const log_range& range);

// Streams the log as NDJSON CloudEvents to stdout; works while a server runs.
int run_export(const std::string& data_dir, const log_range& range);

}  // namespace herald::adapters
