#pragma once
// The event store: Herald's append-only log with a global sequence, plus the
// projections written atomically with each event (the (source, id) dedup
// index and each entity's history).
//
// Thread safety: every method may be called from any thread. Appends are
// serialised by one writer (group commit); reads use RocksDB's own
// consistency and never block the writer.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/cloud_event.hpp"
#include "domain/status.hpp"
#include "storage/stored_event.hpp"

namespace herald::storage {

struct append_outcome {
  std::size_t accepted = 0;
  std::size_t duplicates = 0;
  std::uint64_t first_seq = 0;  // 0 when nothing was accepted
  std::uint64_t last_seq = 0;
  std::vector<std::uint64_t> seqs;  // one per input event; 0 marks a duplicate
  std::int64_t recorded_at_ms = 0;
};

using event_batch = std::shared_ptr<const std::vector<domain::cloud_event>>;
using append_callback = std::function<void(result<append_outcome>)>;

// The appends of one writer whose later appends build on its earlier ones
// (an entity actor's workflow steps). Once one of them fails, every later
// one fails too, even if the disk works again by then: a step written on
// top of one that was not would refer to what the log does not hold.
struct append_chain {
  std::atomic<bool> broken{false};
};

struct scan_filter {
  std::uint64_t from_seq = 1;
  std::uint64_t to_seq = UINT64_MAX;
  std::optional<std::int64_t> from_ms;  // recorded_at >= from_ms
  std::optional<std::int64_t> to_ms;    // recorded_at < to_ms
  std::optional<std::string> entity;    // only events whose subject is this key
  std::optional<domain::event_kind> kind;  // only events of this kind
};

struct store_stats {
  std::uint64_t commits = 0;          // group commits written (each one WAL write)
  std::uint64_t events = 0;           // events appended
  std::uint64_t duplicates = 0;       // events ignored as re-sent (source, id)
  std::uint64_t batch_bytes = 0;      // bytes of all WriteBatches written
  std::uint64_t last_commit_us = 0;   // duration of the newest commit
};

class event_store {
 public:
  virtual ~event_store() = default;

  // Appends `events` atomically: all of them (less duplicates) or none. A
  // (source, id) already in the log, or earlier in the same batch, is a
  // duplicate and changes nothing. `done` runs on the writer thread once the
  // events are durable under the sync policy; it must not block. With a
  // `chain`, the append fails if an earlier one of the chain failed.
  virtual void append_async(domain::event_kind kind, event_batch events, append_callback done,
                            std::shared_ptr<append_chain> chain) = 0;
  void append_async(domain::event_kind kind, event_batch events, append_callback done) {
    append_async(kind, std::move(events), std::move(done), nullptr);
  }
  void append_async(event_batch events, append_callback done) {
    append_async(domain::event_kind::cloud_event, std::move(events), std::move(done));
  }

  // Blocking convenience over append_async.
  result<append_outcome> append(std::vector<domain::cloud_event> events,
                                domain::event_kind kind = domain::event_kind::cloud_event);

  virtual result<stored_event> read(std::uint64_t seq) const = 0;

  // Calls `visit` for each event matching `filter` in sequence order until it
  // returns false. Returns the first decode or I/O error.
  virtual status scan(const scan_filter& filter,
                      const std::function<bool(const stored_event&)>& visit) const = 0;

  // Returns up to `limit` events about the entity that are below
  // `before_seq`, newest first: each one's seq, with the kind of its record
  // when the history kept it (stores written before it did: nullopt, read
  // the record to know), so a reader after the events a source sent skips
  // Herald's own unread.
  struct history_entry {
    std::uint64_t seq = 0;
    std::optional<domain::event_kind> kind;
  };
  virtual result<std::vector<history_entry>> history_entries(const std::string& entity_key,
                                                             std::uint64_t before_seq,
                                                             std::size_t limit) const = 0;
  // The same, sequence numbers only.
  result<std::vector<std::uint64_t>> history(const std::string& entity_key, std::uint64_t before_seq,
                                             std::size_t limit) const;

  virtual std::uint64_t last_seq() const = 0;
  virtual store_stats stats() const = 0;
};

}  // namespace herald::storage
