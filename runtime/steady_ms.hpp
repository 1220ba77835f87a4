// steady_ms: milliseconds on the monotonic clock, for the shells' own timers (the cores get
// their time from Tick, never from here).
#pragma once

#include <chrono>
#include <cstdint>

namespace bank {

inline std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace bank
