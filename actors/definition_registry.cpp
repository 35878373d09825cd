#include "actors/definition_registry.hpp"

#include <boost/json.hpp>

#include "domain/json_fields.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace json = boost::json;

namespace herald::actors {

std::vector<const versioned_workflow*> definition_set::triggered_by(const std::string& module,
                                                                    const std::string& type) const {
  std::vector<const versioned_workflow*> out;
  for (const auto& [id, w] : workflows) {
    if (w.workflow.enabled && w.workflow.module == module &&
        w.workflow.trigger.kind == domain::trigger_kind::on_event && w.workflow.trigger.on == type) {
      out.push_back(&w);
    }
  }
  return out;
}

std::vector<const versioned_workflow*> definition_set::date_triggered(const std::string& module) const {
  std::vector<const versioned_workflow*> out;
  for (const auto& [id, w] : workflows) {
    if (w.workflow.enabled && w.workflow.module == module &&
        w.workflow.trigger.kind == domain::trigger_kind::date_relative) {
      out.push_back(&w);
    }
  }
  return out;
}

status definition_registry::put(const std::string& kind, const std::string& id, int version,
                                const std::string& body_json) {
  if (kind != "template" && kind != "workflow") {
    return status::ok();  // lists and other definitions the engine does not run
  }
  json::error_code ec;
  json::value body = json::parse(body_json, ec);
  if (ec) {
    return status{errc::corruption, "definition " + kind + "/" + id + " is not JSON"};
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  auto next = std::make_shared<definition_set>(*current());
  if (kind == "template") {
    auto t = domain::parse_template(body);
    if (!t) return t.error();
    next->templates[id] = versioned_template{std::move(*t), version, body_json};
  } else {
    auto exists = [&](const std::string& t) { return next->templates.count(t) > 0; };
    auto w = domain::parse_workflow(id, body, exists);
    if (!w) return w.error();
    next->workflows[id] = versioned_workflow{std::move(*w), version, body_json};
  }
  std::atomic_store(&current_, std::shared_ptr<const definition_set>(std::move(next)));
  return status::ok();
}

void definition_registry::remove(const std::string& kind, const std::string& id) {
  std::lock_guard<std::mutex> lock(write_mu_);
  auto next = std::make_shared<definition_set>(*current());
  if (kind == "template") {
    next->templates.erase(id);
  } else {
    next->workflows.erase(id);
  }
  std::atomic_store(&current_, std::shared_ptr<const definition_set>(std::move(next)));
}

status definition_registry::load(const storage::rocksdb_event_store& store) {
  struct entry {
    std::string kind, id, body;
    int version;
  };
  std::vector<entry> entries;
  auto st = store.scan_definitions([&](const std::string& kind, const std::string& id, const std::string& text) {
    json::error_code ec;
    json::value v = json::parse(text, ec);
    if (!ec && v.is_object()) {
      const json::value* body = v.get_object().if_contains("body");
      entries.push_back(entry{kind, id, body ? json::serialize(*body) : "null",
                              static_cast<int>(domain::json_fields::i64(v.get_object(), "version"))});
    }
    return true;
  });
  if (!st) return st;
  for (const char* kind : {"template", "workflow"}) {
    for (const auto& e : entries) {
      if (e.kind == kind) {
        if (auto s = put(e.kind, e.id, e.version, e.body); !s) return s;
      }
    }
  }
  return status::ok();
}

}  // namespace herald::actors
