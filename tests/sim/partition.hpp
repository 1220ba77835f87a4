// Partition: a cut of the simulated network, as the set of nodes on one side of it.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>

namespace bank::sim {

struct Partition {
  std::uint64_t side = 0;  // bit k: the k-th node (ids in ascending order) is on this side

  // Whether the nodes at positions a and b are on different sides.
  bool separates(std::size_t a, std::size_t b) const { return ((side >> a) & 1) != ((side >> b) & 1); }
  auto operator<=>(const Partition&) const = default;
};

}  // namespace bank::sim
