// RateHistory: deltas per interval, summed over the nodes; percentiles from the summed buckets.
#include "apps/live/rate_history.hpp"

#include <algorithm>

namespace bank::live {

namespace {

std::vector<std::uint64_t> numbers(const nlohmann::json& j) {
  std::vector<std::uint64_t> out;
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (!v.is_number_unsigned()) return {};
    out.push_back(v.get<std::uint64_t>());
  }
  return out;
}

void add_counts(std::vector<std::uint64_t>& into, const std::vector<std::uint64_t>& more) {
  if (into.size() < more.size()) into.resize(more.size(), 0);
  for (std::size_t i = 0; i < more.size(); ++i) into[i] += more[i];
}

}  // namespace

std::optional<RateHistory::NodeCounts> RateHistory::counts_of(const nlohmann::json& metrics) {
  try {
    NodeCounts c;
    c.committed = metrics.at("counters").at("transfers_committed").get<std::uint64_t>();
    const auto& wait = metrics.at("histograms").at("cs_wait_us");
    c.bounds = numbers(wait.at("bounds"));
    c.counts = numbers(wait.at("counts"));
    if (c.counts.size() != c.bounds.size() + 1) return std::nullopt;
    return c;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

void RateHistory::add(std::int64_t t_ms, const std::map<NodeId, NodeCounts>& nodes) {
  if (last_t_ && t_ms > *last_t_) {
    Interval iv{*last_t_, t_ms, 0, {}, {}};
    for (const auto& [id, now] : nodes) {
      auto before = last_.find(id);
      // A node new to the history, or restarted (its counters fell): what it counted since
      // its start. A node seen for the first time adds nothing: its counts are its past.
      if (before == last_.end()) continue;
      const bool restarted = now.committed < before->second.committed;
      iv.committed += restarted ? now.committed : now.committed - before->second.committed;
      std::vector<std::uint64_t> delta = now.counts;
      if (!restarted && before->second.counts.size() == now.counts.size())
        for (std::size_t i = 0; i < delta.size(); ++i)
          delta[i] = now.counts[i] >= before->second.counts[i] ? now.counts[i] - before->second.counts[i] : now.counts[i];
      if (iv.bounds.empty()) iv.bounds = now.bounds;
      if (iv.bounds == now.bounds) add_counts(iv.counts, delta);
    }
    Point p;
    p.t_ms = t_ms;
    p.tps = static_cast<double>(iv.committed) * 1000.0 / static_cast<double>(t_ms - iv.from_ms);
    p.p50_ms = quantile_ms(0.5, iv.bounds, iv.counts);
    p.p99_ms = quantile_ms(0.99, iv.bounds, iv.counts);
    for (auto c : iv.counts) p.entries += c;
    intervals_.push_back(std::move(iv));
    points_.push_back(p);
    while (!intervals_.empty() && intervals_.front().to_ms < t_ms - kKeepMs) {
      intervals_.pop_front();
      points_.pop_front();
    }
  }
  if (!last_t_ || t_ms > *last_t_) {
    for (const auto& [id, now] : nodes) last_[id] = now;
    last_t_ = t_ms;
  }
}

RateHistory::Point RateHistory::over(std::int64_t window_ms) const {
  Point p;
  if (intervals_.empty()) return p;
  p.t_ms = intervals_.back().to_ms;
  std::int64_t from = p.t_ms;
  std::uint64_t committed = 0;
  std::vector<std::uint64_t> bounds, counts;
  for (auto it = intervals_.rbegin(); it != intervals_.rend() && it->to_ms > p.t_ms - window_ms; ++it) {
    from = it->from_ms;
    committed += it->committed;
    if (bounds.empty()) bounds = it->bounds;
    if (bounds == it->bounds) add_counts(counts, it->counts);
  }
  if (from < p.t_ms) p.tps = static_cast<double>(committed) * 1000.0 / static_cast<double>(p.t_ms - from);
  p.p50_ms = quantile_ms(0.5, bounds, counts);
  p.p99_ms = quantile_ms(0.99, bounds, counts);
  for (auto c : counts) p.entries += c;
  return p;
}

std::optional<double> RateHistory::quantile_ms(double q, const std::vector<std::uint64_t>& bounds,
                                               const std::vector<std::uint64_t>& counts) {
  if (bounds.empty() || counts.size() != bounds.size() + 1) return std::nullopt;
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  if (total == 0) return std::nullopt;
  const double rank = q * static_cast<double>(total);
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (counts[i] > 0 && static_cast<double>(below + counts[i]) >= rank) {
      const double lo = i == 0 ? 0.0 : static_cast<double>(bounds[i - 1]);
      const double hi = static_cast<double>(bounds[i]);
      const double within = std::clamp((rank - static_cast<double>(below)) / static_cast<double>(counts[i]), 0.0, 1.0);
      return (lo + (hi - lo) * within) / 1000.0;
    }
    below += counts[i];
  }
  return static_cast<double>(bounds.back()) / 1000.0;
}

}  // namespace bank::live
