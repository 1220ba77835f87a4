// RateHistory: transfers per second and the critical-section wait's p50 and p99 over the
// last minutes, from samples of every node's counters (transfers_committed, and cs_wait_us's
// buckets) taken about once a second. A node's counters start again from 0 when it
// restarts: a count lower than the one before is read as counted since that start. Pure:
// the caller says when each sample was taken.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/types.hpp"

namespace bank::live {

class RateHistory {
 public:
  // How far back the history reaches.
  static constexpr std::int64_t kKeepMs = 5 * 60 * 1000;

  struct NodeCounts {
    std::uint64_t committed = 0;
    std::vector<std::uint64_t> bounds;  // cs_wait_us's, µs
    std::vector<std::uint64_t> counts;  // one more than bounds, not cumulative
  };
  struct Point {
    std::int64_t t_ms = 0;  // the end of the interval
    double tps = 0;
    std::optional<double> p50_ms, p99_ms;  // none without an entry in the interval
    std::uint64_t entries = 0;
  };

  // A node's `metrics` object as counts; nullopt when it lacks them.
  static std::optional<NodeCounts> counts_of(const nlohmann::json& metrics);

  // The nodes that answered at `t_ms` (milliseconds on any steady clock).
  void add(std::int64_t t_ms, const std::map<NodeId, NodeCounts>& nodes);

  // One point per interval between samples, oldest first.
  const std::deque<Point>& points() const { return points_; }
  // The whole of the last `window_ms`: transfers per second and the wait's percentiles.
  Point over(std::int64_t window_ms) const;

  // The q-quantile (0..1) of a histogram (bounds in µs, counts not cumulative) in ms, linear
  // inside its bucket as Prometheus' histogram_quantile is; the last bound for the overflow
  // bucket; nullopt when it is empty.
  static std::optional<double> quantile_ms(double q, const std::vector<std::uint64_t>& bounds,
                                           const std::vector<std::uint64_t>& counts);

 private:
  struct Interval {
    std::int64_t from_ms, to_ms;
    std::uint64_t committed;
    std::vector<std::uint64_t> bounds, counts;
  };
  std::map<NodeId, NodeCounts> last_;
  std::optional<std::int64_t> last_t_;
  std::deque<Interval> intervals_;
  std::deque<Point> points_;
};

}  // namespace bank::live
