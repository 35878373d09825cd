#include "adapters/http/view_reader.hpp"

#include <boost/json.hpp>

#include "domain/json_fields.hpp"

namespace json = boost::json;
using herald::domain::json_fields::str;

namespace herald::adapters {

json::object read_view(const storage::rocksdb_event_store& store, storage::rocksdb_event_store::view_kind kind,
                       const std::string& id) {
  if (id.empty()) return {};
  auto text = store.view(kind, id);
  if (!text || !*text) return {};
  json::error_code ec;
  json::value v = json::parse(**text, ec);
  return !ec && v.is_object() ? std::move(v.get_object()) : json::object{};
}

attempt_facts facts_of_attempt(const storage::rocksdb_event_store& store, const std::string& attempt_id) {
  using kind = storage::rocksdb_event_store::view_kind;
  const json::object attempt = read_view(store, kind::attempt, attempt_id);
  if (attempt.empty()) return {};
  attempt_facts f;
  f.known = true;
  f.owner = str(read_view(store, kind::instance, str(attempt, "instance_id")), "entity");
  f.category = str(attempt, "category");
  if (const auto* r = attempt.if_contains("recipient"); r && r->is_object()) f.recipient = str(r->get_object(), "key");
  return f;
}

std::vector<std::string> item_ids(const std::string& list_body) {
  // Parsed into a local: iterating a member of the temporary itself would
  // outlive it (ASan found that here).
  boost::json::error_code ec;
  const boost::json::value listed = boost::json::parse(list_body, ec);
  std::vector<std::string> ids;
  const boost::json::value* items = !ec && listed.is_object() ? listed.get_object().if_contains("items") : nullptr;
  if (!items || !items->is_array()) return ids;
  for (const auto& item : items->get_array()) {
    const boost::json::value* id = item.is_object() ? item.get_object().if_contains("id") : nullptr;
    if (id && id->is_string()) ids.emplace_back(id->get_string());
  }
  return ids;
}

}  // namespace herald::adapters
