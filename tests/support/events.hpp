#pragma once
// Builders for the events tests write themselves.

#include <string>

#include "domain/cloud_event.hpp"

namespace herald::test {

inline domain::cloud_event make_event(const std::string& id, const std::string& subject = {},
                                      const std::string& type = "thing.saved",
                                      const std::string& data_json = {},
                                      const std::string& source = "test") {
  domain::cloud_event ev;
  ev.id = id;
  ev.source = source;
  ev.type = type;
  if (!subject.empty()) {
    ev.subject = subject;
  }
  if (!data_json.empty()) {
    ev.data_kind = domain::data_form::json;
    ev.data = data_json;
  }
  return ev;
}

// A delegate record with a status and a course-date link.
inline std::string delegate_record(const std::string& status, const std::string& course_date = "CourseDate/cd-1") {
  return R"({"label":"Jane Doe","fields":{"Status":")" + status + R"("},"links":{"CourseDate":")" +
         course_date + R"(","User":"User/u-1"},"contact":{"email":"jane@example.com"}})";
}

// One CloudEvent as a JSON line.
inline std::string event_line(const std::string& id, const std::string& subject,
                              const std::string& data_json, const std::string& type = "delegate.saved") {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"test","type":")" + type +
         R"(","subject":")" + subject + R"(","data":)" + data_json + "}";
}

}  // namespace herald::test
