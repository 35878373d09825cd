#include "adapters/cli/log_range.hpp"

#include "domain/entity_record.hpp"
#include "domain/rfc3339.hpp"

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

}  // namespace herald::adapters
