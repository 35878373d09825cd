// The read side of the API (SPEC §6): the communication log, the
// communications overview, the queue of pending sends, manual tasks and
// instances. Lists walk a newest-first index and read each row's view;
// filters are checked on the rows, and one request examines at most
// `max_examined` rows (a page may then be short, with a cursor to go on).

#include <algorithm>

#include <boost/json.hpp>

#include "adapters/http/api.hpp"
#include "adapters/http/json_error.hpp"
#include "adapters/http/query_params.hpp"
#include "domain/delivery_status.hpp"
#include "domain/json_fields.hpp"
#include "domain/rfc3339.hpp"

namespace json = boost::json;
using herald::domain::json_fields::str;
using store_t = herald::storage::rocksdb_event_store;

namespace herald::adapters {
namespace {

constexpr std::size_t max_examined = 20000;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Filters of §6 as they apply to an attempt or a communication row.
struct row_filter {
  std::string q, status, channel, type, category, customer, workflow, mapped_to;
  std::optional<std::int64_t> from, to;
  bool show_collecting = false;
  bool communications = false;  // rows are communications (latest_status, last_attempt_at)

  bool keep(const json::object& row) const {
    const std::string row_status = str(row, communications ? "latest_status" : "status");
    if (row_status == "collecting_data" && !show_collecting) return false;
    if (!status.empty()) {
      if (domain::is_status_group(status) ? !domain::status_in_group(row_status, status) : row_status != status) {
        return false;
      }
    }
    for (auto [want, key] : {std::pair{&channel, "channel"}, std::pair{&type, "type"},
                             std::pair{&category, "category"}, std::pair{&customer, "customer"},
                             std::pair{&workflow, "workflow"}, std::pair{&mapped_to, "mapped_to"}}) {
      if (!want->empty() && str(row, key) != *want) return false;
    }
    if (from || to) {
      const auto at = domain::parse_rfc3339_ms(str(row, communications ? "last_attempt_at" : "created_at"));
      if (!at || (from && *at < *from) || (to && *at >= *to)) return false;
    }
    if (!q.empty()) {
      std::string haystack = str(row, "subject") + "\n" + str(row, "mapped_to_label") + "\n" + str(row, "mapped_to");
      if (const json::value* r = row.if_contains("recipient"); r && r->is_object()) {
        haystack += "\n" + str(r->get_object(), "name") + "\n" + str(r->get_object(), "email") + "\n" +
                    str(r->get_object(), "mobile");
      }
      if (lower(haystack).find(q) == std::string::npos) return false;
    }
    return true;
  }
};

result<row_filter> parse_filter(const http_request& req, bool communications) {
  row_filter f;
  f.communications = communications;
  f.q = lower(text_param(req, "q"));
  f.status = text_param(req, "status");
  if (!f.status.empty() && !domain::is_status_group(f.status) && !domain::is_known_status(f.status)) {
    return status{errc::invalid_argument,
                  "'status' must be a group (failed, not_sent, completed, all) or a status such as delivered",
                  "status"};
  }
  f.channel = text_param(req, "channel");
  if (!f.channel.empty() && f.channel != "email" && f.channel != "sms" && f.channel != "post" &&
      f.channel != "einvoice" && f.channel != "manual") {
    return status{errc::invalid_argument, "'channel' must be email, sms, post, einvoice or manual", "channel"};
  }
  f.type = text_param(req, "type");
  f.category = text_param(req, "category");
  f.customer = text_param(req, "customer");
  f.workflow = text_param(req, "workflow");
  f.mapped_to = text_param(req, "mapped_to");
  for (auto [name, target] : {std::pair{"from", &f.from}, std::pair{"to", &f.to}}) {
    auto t = time_param(req, name);
    if (!t) return t.error();
    *target = *t;
  }
  for (const char* flag : {"show_collecting", "show_ignored"}) {
    const std::string v = text_param(req, flag);
    if (!v.empty() && v != "true" && v != "false") {
      return status{errc::invalid_argument, std::string("'") + flag + "' must be true or false", flag};
    }
  }
  f.show_collecting = text_param(req, "show_collecting") == "true";
  return f;
}

// What a list walks: rows (an id's view) in order after a cursor, each
// with the cursor that resumes after it, until the visitor says stop.
using row_visitor = std::function<bool(json::value row, const std::string& cursor)>;
using row_source = std::function<status(const std::string& cursor, const row_visitor& visit)>;

// The rows of an index: each id's view, read as the index names it.
row_source index_rows(const store_t& store, store_t::index_kind index, const std::string& entity,
                      store_t::view_kind view) {
  return [&store, index, entity, view](const std::string& cursor, const row_visitor& visit) {
    status failure;
    auto st = store.scan_index(index, entity, cursor, [&](const std::string& id, const std::string& resume) {
      auto text = store.view(view, id);
      if (!text) {
        failure = text.error();
        return false;
      }
      if (!*text) return true;
      json::error_code ec;
      json::value row = json::parse(**text, ec);
      return visit(ec ? json::value() : std::move(row), resume);  // not JSON: examined, not listed
    });
    if (!st) return st;
    return failure;
  };
}

// Communications (one entity's, those whose latest attempt reached a status
// group, or all), newest first.
row_source communication_rows(const store_t& store, const std::string& entity, const std::string& status_group) {
  return [&store, entity, status_group](const std::string& cursor, const row_visitor& visit) {
    return store.scan_communications(
        entity, cursor,
        [&](const std::string&, json::value view, const std::string& resume) { return visit(std::move(view), resume); },
        status_group);
  };
}

// The status group whose index a list filtered on `status` walks ("" for
// none: an unfiltered list, "all", or a status outside the groups, such as
// queued); a row's status is checked still, since it may have left the group.
std::string indexed_group(const row_filter& f) {
  return std::string(domain::status_group_of(f.status));
}

// Pages through `rows`, keeping those `keep` accepts.
result<json::object> list(const row_source& rows, const http_request& req,
                          const std::function<bool(const json::object&)>& keep) {
  auto limit = uint_param(req, "limit", 50, 1, 1000);
  if (!limit) return limit.error();
  json::array items;
  std::string last_cursor;
  std::size_t examined = 0;
  bool more = false;
  auto st = rows(text_param(req, "cursor"), [&](json::value row, const std::string& cursor) {
    if (items.size() == *limit || examined == max_examined) {
      more = true;
      return false;
    }
    ++examined;
    last_cursor = cursor;
    if (row.is_object() && keep(row.get_object())) items.push_back(std::move(row));
    return true;
  });
  if (!st) return st;
  return json::object{{"items", std::move(items)},
                      {"next_cursor", more ? json::value(last_cursor) : json::value(nullptr)}};
}

http_response answer(const result<json::object>& r) {
  if (!r) return error_response(http_status_for(r.error().code()), r.error());
  return json_response(200, *r);
}

}  // namespace

http_response api::log(const http_request& req) const {
  auto f = parse_filter(req, false);
  if (!f) return error_response(400, f.error());
  const auto [index, within] = store_t::attempts_index(f->mapped_to, indexed_group(*f));
  return answer(list(index_rows(*options_.store, index, within, store_t::view_kind::attempt),
                     req,
                     [&](const json::object& row) { return f->keep(row); }));
}

http_response api::communications(const http_request& req) const {
  auto f = parse_filter(req, true);
  if (!f) return error_response(400, f.error());
  return answer(list(communication_rows(*options_.store, f->mapped_to, indexed_group(*f)), req,
                     [&](const json::object& row) { return f->keep(row); }));
}

http_response api::workflow_errors(const http_request& req) const {
  const std::string workflow = text_param(req, "workflow");
  return answer(list(index_rows(*options_.store, store_t::index_kind::errored_instances, "", store_t::view_kind::instance), req,
                     [&](const json::object& row) { return workflow.empty() || str(row, "workflow") == workflow; }));
}

http_response api::tasks(const http_request& req) const {
  return answer(list(index_rows(*options_.store, store_t::index_kind::open_tasks, "", store_t::view_kind::task), req,
                     [](const json::object&) { return true; }));
}

http_response api::attempt(const std::string& id) const {
  auto view = options_.store->view(store_t::view_kind::attempt, id);
  if (!view) return error_response(500, view.error());
  if (!*view) return error_response(404, status{errc::not_found, "no attempt " + id});
  json::object out = json::parse(**view).as_object();
  auto content = options_.store->view(store_t::view_kind::attempt_content, id);
  if (!content) return error_response(500, content.error());
  out["content"] = *content ? json::parse(**content) : json::value(nullptr);
  // What the provider reported (webhooks), in the order it happened.
  json::array events;
  auto st = options_.store->provider_events(id, [&events](const std::string& data) {
    json::error_code ec;
    json::value v = json::parse(data, ec);
    if (!ec && v.is_object()) events.push_back(std::move(v));
  });
  if (!st) return error_response(500, st);
  std::stable_sort(events.begin(), events.end(), [](const json::value& a, const json::value& b) {
    return str(a.as_object(), "at") < str(b.as_object(), "at");
  });
  out["provider_events"] = std::move(events);
  return json_response(200, out);
}

http_response api::instance(const std::string& id) const {
  auto view = options_.store->view(store_t::view_kind::instance, id);
  if (!view) return error_response(500, view.error());
  if (!*view) return error_response(404, status{errc::not_found, "no instance " + id});
  return json_response(200, json::parse(**view));
}

http_response api::queue(const http_request& req) const {
  auto limit = uint_param(req, "limit", 50, 1, 1000);
  if (!limit) return error_response(400, limit.error());
  const std::string workflow = text_param(req, "workflow");
  const std::string mapped_to = text_param(req, "mapped_to");
  json::array items;
  std::string last_cursor;
  bool more = false;
  status failure;
  auto st = options_.store->scan_timers(INT64_MAX, text_param(req, "cursor"),
                                        [&](const store_t::timer_entry& t, const std::string& cursor) {
    if (items.size() == *limit) {
      more = true;
      return false;
    }
    last_cursor = cursor;
    auto text = options_.store->view(store_t::view_kind::instance, t.instance_id);
    if (!text) {
      failure = text.error();
      return false;
    }
    if (!*text) return true;
    const json::object inst = json::parse(**text).as_object();
    if ((!workflow.empty() && str(inst, "workflow") != workflow) ||
        (!mapped_to.empty() && str(inst, "entity") != mapped_to)) {
      return true;
    }
    json::value recipients = json::array{};
    if (const json::value* actions = inst.if_contains("actions"); actions && actions->is_array()) {
      for (const auto& a : actions->get_array()) {
        if (a.is_object() && domain::json_fields::i64(a.get_object(), "index") == t.action) {
          if (const json::value* r = a.get_object().if_contains("recipients")) recipients = *r;
        }
      }
    }
    items.push_back(json::object{{"due", domain::format_rfc3339_ms(t.due_ms)},
                                 {"instance_id", t.instance_id},
                                 {"action", t.action},
                                 {"workflow", str(inst, "workflow")},
                                 {"mapped_to", str(inst, "entity")},
                                 {"mapped_to_label", str(inst, "entity_label")},
                                 {"recipients", recipients}});
    return true;
  });
  if (!st) return error_response(http_status_for(st.code()), st);
  if (!failure.is_ok()) return error_response(500, failure);
  return json_response(200, json::object{{"items", std::move(items)},
                              {"next_cursor", more ? json::value(last_cursor) : json::value(nullptr)}});
}

}  // namespace herald::adapters
