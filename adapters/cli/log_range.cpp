#include "adapters/cli/log_range.hpp"

#include "domain/entity_record.hpp"
#include "domain/rfc3339.hpp"

#include <iostream>

namespace herald::adapters {

result<storage::scan_filter> to_scan_filter(const log_range& range) {
  storage::scan_filter f;
  if (range.from_seq) f.from_seq = *range.from_seq;
  if (range.to_seq) f.to_seq = *range.to_seq;
  if (f.from_seq > f.to_seq) {
    return status{errc::invalid_argument, "--from-seq is greater than --to-seq", "--from-seq"};
  }
  for (auto [text, target, flag] : {std::tuple{&range.since, &f.from_ms, "--since"},
                                    std::tuple{&range.until, &f.to_ms, "--until"}}) {
    if (*text) {
      auto ms = domain::parse_rfc3339_ms(**text);
      if (!ms) {
        return status{errc::invalid_argument,
                      std::string(flag) + " must be an RFC 3339 time, got '" + **text + "'", flag};
      }
      *target = *ms;
    }
  }
  if (range.kind == "ingested") {
    f.kind = domain::event_kind::cloud_event;
  } else if (range.kind == "engine") {
    f.kind = domain::event_kind::engine_event;
  } else if (range.kind != "all") {
    return status{errc::invalid_argument, "--kind must be ingested, engine or all", "--kind"};
  }
  if (range.entity) {
    if (!domain::parse_entity_key(*range.entity)) {
      return status{errc::invalid_argument,
                    "--entity must be an entity key Module/Id, got '" + *range.entity + "'",
                    "--entity"};
    }
    f.entity = *range.entity;
  }
  return f;
}

range_command open_range_command(const char* command, const std::string& data_dir,
                                 const log_range& range, bool read_only) {
  range_command out;
  auto filter = to_scan_filter(range);
  if (!filter) {
    std::cerr << "herald " << command << ": " << filter.error().message() << "\n";
    out.exit_code = 2;
    return out;
  }
  out.filter = *filter;
  storage::store_options options;
  options.path = data_dir;
  options.read_only = read_only;
  auto store = storage::rocksdb_event_store::open(options);
  if (!store) {
    std::cerr << "herald " << command << ": " << store.error().message() << "\n";
    out.exit_code = 1;
    return out;
  }
  out.store = std::move(*store);
  return out;
}

}  // namespace herald::adapters
