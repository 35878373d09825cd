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

}  // namespace herald::storage
