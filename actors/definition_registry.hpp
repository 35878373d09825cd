#pragma once
// The workflows and templates in force, as an immutable snapshot that is
// replaced whole on every change. Entity actors read the current snapshot
// (an atomic shared_ptr load) instead of asking an actor for each event;
// the API replaces it after a definition change is durable.
//
// Thread safety: every method may be called from any thread.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/message_template.hpp"
#include "domain/status.hpp"
#include "domain/workflow.hpp"

namespace herald::storage {
class rocksdb_event_store;
}

namespace herald::actors {

struct versioned_workflow {
  domain::workflow workflow;
  int version = 0;
  std::string json;  // the body as stored
};

struct versioned_template {
  domain::message_template message;
  int version = 0;
  std::string json;
};

struct definition_set {
  std::map<std::string, versioned_workflow> workflows;
  std::map<std::string, versioned_template> templates;

  // Returns the enabled workflows of `module` triggered by event `type`.
  std::vector<const versioned_workflow*> triggered_by(const std::string& module,
                                                      const std::string& type) const;
  // Returns the enabled date-relative workflows of `module`.
  std::vector<const versioned_workflow*> date_triggered(const std::string& module) const;
};

class definition_registry {
 public:
  definition_registry() : current_(std::make_shared<const definition_set>()) {}

  std::shared_ptr<const definition_set> current() const { return std::atomic_load(&current_); }

  // Loads every definition from the store's definitions view; templates
  // first, so workflows can check theirs. Returns the first bad definition.
  status load(const storage::rocksdb_event_store& store);

  // Installs a new version (already durable). kind: "workflow" | "template".
  status put(const std::string& kind, const std::string& id, int version, const std::string& body_json);
  void remove(const std::string& kind, const std::string& id);

 private:
  std::mutex write_mu_;  // serialises writers; readers never lock
  std::shared_ptr<const definition_set> current_;
};

}  // namespace herald::actors
