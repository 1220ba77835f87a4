// LiveState: what the dashboard and bank-cli watch show, as one JSON object made from a
// ClusterWatch snapshot: each node (up or down, clock, height, head, queue, peers, whether
// it holds the critical section), the holder and the next in line, the balances and last
// blocks of the longest chain an up node holds, and the rates. bank-web serves it at
// /api/state (docs/dashboard.md lists the fields); the page and watch draw it. Pure.
#pragma once

#include <cstdint>
#include <map>

#include <nlohmann/json.hpp>

#include "apps/live/cluster_watch.hpp"
#include "apps/live/rate_history.hpp"

namespace bank::live {

class LiveState {
 public:
  // Rates over these windows.
  static constexpr std::int64_t kRateWindowMs = 10'000;
  static constexpr std::int64_t kWaitWindowMs = 60'000;

  // `now_ms`: the rates' clock (steady, as RateHistory's samples).
  static nlohmann::json make(const std::map<NodeId, NodeView>& nodes, const RateHistory& rates, std::int64_t now_ms);
};

}  // namespace bank::live
