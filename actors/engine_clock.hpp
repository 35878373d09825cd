#pragma once
// The engine's notion of "now", injectable: the system clock in production,
// a virtual clock under `herald serve --time-skipping` and in tests. The
// store stamps recorded_at from it, entity actors stamp created_at, the
// scheduler fires timers against it.
//
// Thread safety: now_ms() may be called from any thread; set_ms() only by
// the scheduler (which owns advancing virtual time).

#include <atomic>
#include <chrono>
#include <cstdint>

namespace herald::actors {

class engine_clock {
 public:
  // A system clock, or a virtual one starting at `start_ms`.
  static engine_clock system() { return engine_clock(false, 0); }
  static engine_clock virtual_at(std::int64_t start_ms) { return engine_clock(true, start_ms); }

  engine_clock(const engine_clock& other) : virtual_(other.virtual_), now_(other.now_.load()) {}

  bool is_virtual() const { return virtual_; }

  std::int64_t now_ms() const {
    if (!virtual_) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    }
    return now_.load();
  }

  // Moves a virtual clock; time never goes backwards. Ignored when real.
  void set_ms(std::int64_t ms) {
    if (virtual_ && ms > now_.load()) {
      now_ = ms;
    }
  }

 private:
  engine_clock(bool is_virtual, std::int64_t start) : virtual_(is_virtual), now_(start) {}

  const bool virtual_;
  std::atomic<std::int64_t> now_;
};

}  // namespace herald::actors
