#pragma once
// Waits for a condition another thread makes true (an actor's cleanup, a
// retry on the real clock), polling it: the tests' one way to wait without
// a sleep standing in for synchronisation.

#include <chrono>
#include <thread>

namespace herald::test {

// Polls `done` until it holds (true) or `limit` has passed (false).
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace herald::test
