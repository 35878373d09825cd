#include "domain/delivery_status.hpp"

#include <algorithm>
#include <array>

namespace herald::domain {
namespace {
constexpr std::array<std::string_view, 16> statuses = {
    "collecting_data", "scheduled", "not_sent", "queued",   "sent",
    "delivered",       "bounced",   "dropped",  "blocked",  "deferred",
    "failed",          "undelivered", "rejected", "task_open", "completed", "unknown"};
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
  // An unknown outcome needs an operator as much as a failure does.
  if (group == "failed") return contains(failed, status) || status == "unknown";
  if (group == "not_sent") return status == "not_sent";
  if (group == "completed") return contains(completed, status);
  return false;
}

std::string_view status_group_of(std::string_view s) {
  for (std::string_view group : {"failed", "not_sent", "completed"}) {
    if (s == group || status_in_group(s, group)) return group;
  }
  return "";
}

namespace {
// -1: not a delivery status (timeline only).
int delivery_rank(std::string_view s) {
  // unknown: a provider call was under way at a crash; any report of the
  // provider (or an operator's decision) settles it.
  if (s == "queued" || s == "task_open" || s == "unknown") return 0;
  if (s == "sent") return 1;
  if (s == "delivered") return 2;
  if (contains(failed, s) || s == "not_sent" || s == "completed") return 3;
  return -1;
}
}  // namespace

bool status_supersedes(std::string_view current, std::string_view next) {
  const int n = delivery_rank(next);
  return n >= 0 && n >= delivery_rank(current) && current != next;
}

bool is_hard_failure(std::string_view status) { return contains(failed, status); }

bool is_e164(std::string_view number) {
  if (number.size() < 3 || number.size() > 16 || number[0] != '+' || number[1] < '1' || number[1] > '9') {
    return false;
  }
  return std::all_of(number.begin() + 1, number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace herald::domain
