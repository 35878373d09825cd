#include "storage/preferences_reader.hpp"

#include <boost/json.hpp>

#include "storage/rocksdb_event_store.hpp"

namespace herald::storage {

domain::preferences read_preferences(const rocksdb_event_store& store, const std::string& recipient) {
  auto text = store.view(rocksdb_event_store::view_kind::preferences, recipient);
  if (!text || !*text) return {};
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(**text, ec);
  if (ec) return {};
  auto p = domain::parse_preferences(v);
  return p ? std::move(*p) : domain::preferences{};
}

}  // namespace herald::storage
