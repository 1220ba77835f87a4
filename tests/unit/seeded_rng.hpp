// SeededRng: splitmix64 with bounded and chance draws in integer arithmetic only, so a seeded
// schedule (a core test's or a whole simulation's) replays the same with any compiler and
// standard library, which std's distributions do not promise.
#pragma once

#include <cstdint>

namespace bank::unit {

class SeededRng {
 public:
  explicit SeededRng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n), n > 0. The lowest 2^64 mod n values are drawn again, so that what
  // is left is a whole number of copies of [0, n) and the remainder favours none.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t redraw = (0 - n) % n;
    std::uint64_t x = next();
    while (x < redraw) x = next();
    return x % n;
  }

  // Uniform in [lo, hi], both ends included.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
    // span 0: the whole 64-bit range, where any draw will do.
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + (span == 0 ? next() : below(span)));
  }

  // True with probability num/den (a percentage by default).
  bool chance(std::uint64_t num, std::uint64_t den = 100) { return below(den) < num; }

 private:
  std::uint64_t state_;
};

}  // namespace bank::unit
