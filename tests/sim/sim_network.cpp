// SimNetwork: each frame's fate, drawn from the run's seeded generator.
#include "sim_network.hpp"

#include <algorithm>

namespace bank::sim {

SimNetwork::SimNetwork(unit::SeededRng& rng, std::vector<NodeId> ids) : ids_(std::move(ids)) {
  drop_ = rng.chance(700, 1000) ? rng.between(0, 100) : 0;
  dup_ = rng.chance(500, 1000) ? rng.between(0, 50) : 0;
  reorder_ = rng.chance(500, 1000) ? rng.between(0, 100) : 0;
  max_delay_ = rng.between(1, 15);
}

std::vector<std::int64_t> SimNetwork::arrivals(unit::SeededRng& rng, NodeId from, NodeId to, std::int64_t now) {
  std::vector<std::int64_t> at;
  if (cut_off(from, to) || (!calm_ && rng.chance(drop_, 1000))) return at;
  int copies = (!calm_ && rng.chance(dup_, 1000)) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    std::int64_t delay = rng.between(1, max_delay_);
    if (!calm_ && rng.chance(reorder_, 1000)) delay += rng.between(1, 50);
    auto& last = link_clock_[{from, to}];
    at.push_back(std::max(now + delay, delay > max_delay_ ? 0 : last));
    last = std::max(last, at.back());
  }
  return at;
}

bool SimNetwork::cut_off(NodeId a, NodeId b) const {
  for (const Partition& p : cuts_)
    if (p.separates(position(a), position(b))) return true;
  return false;
}

std::size_t SimNetwork::position(NodeId id) const {
  return static_cast<std::size_t>(std::find(ids_.begin(), ids_.end(), id) - ids_.begin());
}

}  // namespace bank::sim
