#include "domain/delivery_status.hpp"

#include <algorithm>
#include <array>

namespace herald::domain {
namespace {
constexpr std::array<std::string_view, 15> statuses = {
    "collecting_data", "scheduled", "not_sent", "queued",   "sent",
    "delivered",       "bounced",   "dropped",  "blocked",  "deferred",
    "failed",          "undelivered", "rejected", "task_open", "completed"};
constexpr std::array<std::string_view, 6> failed = {"bounced", "dropped", "blocked",
                                                    "failed",  "undelivered", "rejected"};
constexpr std::array<std::string_view, 3> completed = {"sent", "delivered", "completed"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& a, std::string_view s) {
  return std::find(a.begin(), a.end(), s) != a.end();
}
}  // namespace

bool is_known_status(std::string_view status) { return contains(statuses, status); }

bool is_status_group(std::string_view name) {
  return name == "failed" || name == "not_sent" || name == "completed" || name == "all";
}

bool status_in_group(std::string_view status, std::string_view group) {
  if (group == "all") return true;
  if (group == "failed") return contains(failed, status);
  if (group == "not_sent") return status == "not_sent";
  if (group == "completed") return contains(completed, status);
  return false;
}

}  // namespace herald::domain
