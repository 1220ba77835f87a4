// SeededRng: splitmix64, a seeded and portable generator for the core tests' schedules, so a
// failing schedule replays the same anywhere.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bank::unit {

struct SeededRng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
};

}  // namespace bank::unit
