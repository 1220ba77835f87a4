// CatchUp: peers' heights, hints and asks.
#include "actors/ledger/catch_up.hpp"

#include <algorithm>

namespace bank {

void CatchUp::heard(const PeerHeight& h) {
  if (h.restarted) {
    hints_new_.erase(h.peer);
    hints_due_.erase(h.peer);
    peer_heights_[h.peer] = h.height;
    asked_.erase(h.peer);
  } else {
    peer_heights_[h.peer] = std::max(peer_heights_[h.peer], h.height);
  }
}

void CatchUp::hint(NodeId peer, std::uint64_t height, std::uint64_t ours) {
  if (height > ours) hints_new_[peer] = std::max(hints_new_[peer], height);
}

void CatchUp::promote(std::uint64_t ours) {
  for (const auto& [peer, h] : hints_due_)
    if (h > ours) peer_heights_[peer] = std::max(peer_heights_[peer], h);
  hints_due_ = std::move(hints_new_);
  hints_new_.clear();
}

bool CatchUp::behind(std::uint64_t ours) const {
  return std::any_of(peer_heights_.begin(), peer_heights_.end(), [&](const auto& p) { return p.second > ours; });
}

std::optional<CatchUp::Ask> CatchUp::next_ask(std::uint64_t ours) {
  NodeId best = 0;
  std::uint64_t best_height = ours;
  for (const auto& [peer, h] : peer_heights_)
    if (h > best_height) best = peer, best_height = h;
  if (best == 0) return std::nullopt;
  std::uint64_t from = ours + 1;
  auto it = asked_.find(best);
  if (it != asked_.end() && it->second == from) return std::nullopt;  // an answer is on its way
  asked_[best] = from;
  ++open_asks_[{best, from}];
  auto first = open_asks_.lower_bound({best, 0});
  auto end = open_asks_.lower_bound({best + 1, 0});
  if (static_cast<std::size_t>(std::distance(first, end)) > kMaxOpenAsks) open_asks_.erase(first);
  return Ask{.peer = best, .from = from};
}

bool CatchUp::solicited(NodeId peer, std::uint64_t from) {
  auto it = open_asks_.find({peer, from});
  if (it == open_asks_.end()) return false;
  if (--it->second == 0) open_asks_.erase(it);
  return true;
}

bool CatchUp::hinted_ahead(std::uint64_t ours) const {
  auto ahead = [&](const auto& hints) {
    return std::any_of(hints.begin(), hints.end(), [&](const auto& h) { return h.second > ours; });
  };
  return ahead(hints_new_) || ahead(hints_due_);
}

// An answer to an ask since made again (PeerHeight after the link came back in the same
// incarnation, which still answers the first ask) is history like any other, but the
// answer to the newer ask is on its way.
bool CatchUp::answered(NodeId peer, std::optional<std::uint64_t> first, std::uint64_t height) {
  auto ask = asked_.find(peer);
  bool stale = ask != asked_.end() && first && *first < ask->second;
  if (stale) return false;
  peer_heights_[peer] = height;
  asked_.erase(peer);
  return true;
}

void CatchUp::give_up(NodeId peer, std::uint64_t height) {
  peer_heights_[peer] = height;
  hints_new_.erase(peer);
  hints_due_.erase(peer);
}

}  // namespace bank
