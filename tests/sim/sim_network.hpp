// SimNetwork: the simulated wire between nodes: delays, drops, duplicates, reordering and partitions.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "messages/types.hpp"
#include "partition.hpp"
#include "tests/unit/seeded_rng.hpp"

namespace bank::sim {

class SimNetwork {
 public:
  SimNetwork() = default;
  // A network over `ids` (ascending) with drop, duplicate and reorder rates and a longest
  // delay drawn from `rng`.
  SimNetwork(unit::SeededRng& rng, std::vector<NodeId> ids);

  // When each copy of a frame sent from `from` to `to` at `now` arrives: none when it is
  // dropped or a partition lies between them, two when it is duplicated. Frames on one link
  // stay in order unless one was picked to be late.
  std::vector<std::int64_t> arrivals(unit::SeededRng& rng, NodeId from, NodeId to, std::int64_t now);

  void cut(Partition p) { cuts_.insert(p); }
  void heal(Partition p) { cuts_.erase(p); }
  // From now on no frame is dropped, duplicated or reordered; partitions still hold.
  void calm() { calm_ = true; }

  std::uint64_t drop_permille() const { return drop_; }
  std::uint64_t dup_permille() const { return dup_; }
  std::uint64_t reorder_permille() const { return reorder_; }
  std::int64_t max_delay_ms() const { return max_delay_; }

 private:
  bool cut_off(NodeId a, NodeId b) const;
  std::size_t position(NodeId id) const;

  std::vector<NodeId> ids_;
  std::uint64_t drop_ = 0, dup_ = 0, reorder_ = 0;  // per mille of frames, until calm
  std::int64_t max_delay_ = 1;
  bool calm_ = false;
  std::set<Partition> cuts_;  // in force
  std::map<std::pair<NodeId, NodeId>, std::int64_t> link_clock_;  // the latest arrival per link
};

}  // namespace bank::sim
