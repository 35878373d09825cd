#include "domain/engine_event.hpp"

#include <atomic>
#include <chrono>

#include "domain/engine_facts.hpp"

namespace herald::domain::engine {

namespace {

// Lower-case hex without leading zeros, as printf's %llx (every engine
// record gets an id: snprintf was 1 % of the CPU).
void append_hex(std::string& out, std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  char buf[16];
  std::size_t at = sizeof buf;
  do {
    buf[--at] = digits[v & 0xf];
    v >>= 4;
  } while (v != 0);
  out.append(buf + at, sizeof buf - at);
}

}  // namespace

std::string next_event_id(const char* prefix) {
  static const auto start = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count() ^
                                                       std::chrono::system_clock::now().time_since_epoch().count());
  static std::atomic<std::uint64_t> counter{0};
  std::string id(prefix);
  id.reserve(id.size() + 34);
  id += '-';
  append_hex(id, start);
  id += '-';
  append_hex(id, ++counter);
  return id;
}

cloud_event make_event(const std::string& type, std::string id, const std::string& subject,
                       std::string data_json, const std::string& time) {
  cloud_event ev;
  ev.id = std::move(id);
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

namespace {

bool is_object_text(const std::string& t) { return t.size() >= 2 && t.front() == '{' && t.back() == '}'; }

bool carries_attempt_of(const cloud_event& instance, const cloud_event& attempt) {
  return instance.type == instance_updated && attempt.type == attempt_updated && instance.subject == attempt.subject &&
         instance.facts && instance.facts->instance && !instance.facts->attempt && attempt.facts &&
         attempt.facts->attempt && is_object_text(instance.data) && is_object_text(attempt.data);
}

}  // namespace

void carry_attempts_in_instance_records(std::vector<cloud_event>& step_records) {
  // Folded in place: `kept` records stay, each moved only when an earlier
  // one was folded away.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < step_records.size(); ++i) {
    cloud_event& record = step_records[i];
    if (i + 1 < step_records.size() && carries_attempt_of(record, step_records[i + 1])) {
      const cloud_event& attempt = step_records[++i];
      // Their members never share a name: {"instance",...} + {"attempt",...}.
      // Joined in a string of exactly their length (a fresh one: growing
      // the instance's would double its capacity).
      std::string joined;
      joined.reserve(record.data.size() + attempt.data.size() - 1);
      joined.append(record.data, 0, record.data.size() - 1).append(1, ',').append(attempt.data, 1, std::string::npos);
      record.data = std::move(joined);
      auto facts = std::make_shared<engine_facts>(*record.facts);
      facts->attempt = attempt.facts->attempt;
      record.facts = std::move(facts);
    }
    if (&step_records[kept] != &record) step_records[kept] = std::move(record);
    ++kept;
  }
  step_records.erase(step_records.begin() + static_cast<std::ptrdiff_t>(kept), step_records.end());
}

}  // namespace herald::domain::engine
