#include "domain/engine_event.hpp"

namespace herald::domain::engine {

cloud_event make_event(const std::string& type, const std::string& id, const std::string& subject,
                       std::string data_json, const std::string& time) {
  cloud_event ev;
  ev.id = id;
  ev.source = source;
  ev.type = type;
  if (!subject.empty()) {
    ev.subject = subject;
  }
  if (!time.empty()) {
    ev.time = time;
  }
  ev.datacontenttype = "application/json";
  ev.data_kind = data_form::json;
  ev.data = std::move(data_json);
  return ev;
}

}  // namespace herald::domain::engine
