#pragma once
// Waits for a condition another thread or process makes true (an actor's
// cleanup, a retry on the real clock, an engine's answer over HTTP),
// polling it: the tests' one way to wait without a sleep standing in for
// synchronisation.

#include <chrono>
#include <thread>

namespace herald::test {

// How often a condition asked of an engine over HTTP is polled: each poll is
// a request, and polling faster would load the engine the test waits for.
inline constexpr std::chrono::milliseconds http_poll{25};

// Polls `done` every `every` until it holds (true) or `limit` has passed
// (false). `done` is asked once more after the limit has passed, so a slow
// poll does not cost the last chance.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = std::chrono::seconds(10),
                std::chrono::milliseconds every = std::chrono::milliseconds(2)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(every);
  }
  return true;
}

}  // namespace herald::test
