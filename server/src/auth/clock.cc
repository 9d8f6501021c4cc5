// The system clock behind auth::Clock.
#include "auth/clock.h"

#include <ctime>

namespace linli::auth {
namespace {

class WallClock : public Clock {
 public:
  int64_t Now() const override { return static_cast<int64_t>(std::time(nullptr)); }
};

}  // namespace

const Clock& SystemClock() {
  static const WallClock kClock;
  return kClock;
}

}  // namespace linli::auth
