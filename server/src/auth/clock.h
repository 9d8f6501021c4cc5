// The time source of accounts and sessions: Unix seconds from an injectable Clock.
//
// Production code uses SystemClock(); tests use ManualClock to step through lockout periods, idle
// timeouts, session lifetimes and TOTP windows without sleeping. Both are safe to share between
// threads (ManualClock reads and writes one atomic).
#pragma once

#include <atomic>
#include <cstdint>

namespace linli::auth {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since 1970-01-01T00:00:00Z.
  virtual int64_t Now() const = 0;
};

// The process-wide wall clock (std::time). Lives for the whole program.
const Clock& SystemClock();

// A clock that moves only when told to.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start) : now_(start) {}
  int64_t Now() const override { return now_.load(); }
  void Set(int64_t now) { now_.store(now); }
  void Advance(int64_t seconds) { now_.fetch_add(seconds); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace linli::auth
