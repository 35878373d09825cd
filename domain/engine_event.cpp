#include "domain/engine_event.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>

namespace herald::domain::engine {

std::string next_event_id(const char* prefix) {
  static const auto start = std::chrono::steady_clock::now().time_since_epoch().count() ^
                            std::chrono::system_clock::now().time_since_epoch().count();
  static std::atomic<std::uint64_t> counter{0};
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s-%llx-%llx", prefix, static_cast<unsigned long long>(start),
                static_cast<unsigned long long>(++counter));
  return buf;
}

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

cloud_event make_unique_event(const std::string& type, const std::string& subject, std::string data_json,
                              const std::string& time) {
  cloud_event ev = make_event(type, next_event_id("e"), subject, std::move(data_json), time);
  ev.unique_id = true;
  return ev;
}

}  // namespace herald::domain::engine
