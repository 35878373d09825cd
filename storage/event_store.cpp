#include "storage/event_store.hpp"

#include <future>

namespace herald::storage {

result<append_outcome> event_store::append(std::vector<domain::cloud_event> events,
                                           domain::event_kind kind) {
  auto batch = std::make_shared<const std::vector<domain::cloud_event>>(std::move(events));
  std::promise<result<append_outcome>> promise;
  auto future = promise.get_future();
  append_async(kind, std::move(batch),
               [&promise](result<append_outcome> r) { promise.set_value(std::move(r)); });
  return future.get();
}

result<std::vector<std::uint64_t>> event_store::history(const std::string& entity_key, std::uint64_t before_seq,
                                                       std::size_t limit) const {
  auto entries = history_entries(entity_key, before_seq, limit);
  if (!entries) return entries.error();
  std::vector<std::uint64_t> seqs;
  seqs.reserve(entries->size());
  for (const auto& e : *entries) seqs.push_back(e.seq);
  return seqs;
}

}  // namespace herald::storage
