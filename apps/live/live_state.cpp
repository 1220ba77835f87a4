// LiveState: read field by field with defaults, so a reply missing a field shows as unknown
// rather than throwing.
#include "apps/live/live_state.hpp"

#include <cmath>
#include <optional>
#include <string>

namespace bank::live {

namespace {

using nlohmann::json;

json optional_ms(const std::optional<double>& ms) {
  if (!ms) return nullptr;
  return std::round(*ms * 1000.0) / 1000.0;
}

json block_summary(const json& b) {
  json out = {{"index", b.value("index", std::uint64_t{0})}, {"hash", b.value("hash", std::string())}};
  if (auto tx = b.find("tx"); tx != b.end() && tx->is_object()) {
    out["txid"] = tx->value("txid", std::string());
    out["from"] = tx->value("from", std::uint64_t{0});
    out["to"] = tx->value("to", std::uint64_t{0});
    out["amount"] = tx->value("amount", std::int64_t{0});
  } else {
    out["genesis"] = true;
  }
  return out;
}

}  // namespace

json LiveState::make(const std::map<NodeId, NodeView>& nodes, const RateHistory& rates, std::int64_t now_ms) {
  json out;
  json list = json::array();
  std::optional<NodeId> holder, richest;
  std::uint64_t best_height = 0;
  std::optional<std::pair<std::uint64_t, NodeId>> next;  // the lowest (ts, node) heading an up node's queue
  std::size_t up = 0;
  for (const auto& [id, v] : nodes) {
    json n = {{"id", id}, {"endpoint", v.endpoint}, {"up", v.up}, {"in_cs", v.up && v.in_cs}};
    if (!v.up) n["why_down"] = v.why_down;
    if (v.up) {
      ++up;
      const auto& s = v.status;
      const auto height = s.value("height", std::uint64_t{0});
      n["lamport"] = s.value("lamport", std::uint64_t{0});
      n["height"] = height;
      n["head"] = s.value("head", std::string());
      n["queue"] = s.value("queue", json::array());
      n["peers"] = s.value("peers", json::array());
      if (s.contains("diverged")) n["diverged"] = s["diverged"];
      if (s.contains("security")) n["security"] = s["security"];
      if (v.in_cs && !holder) holder = id;
      if (!richest || height > best_height) {
        richest = id;
        best_height = height;
      }
      const auto& q = n["queue"];
      if (q.is_array() && !q.empty() && q[0].is_object()) {
        std::pair<std::uint64_t, NodeId> head{q[0].value("ts", std::uint64_t{0}), q[0].value("node", NodeId{0})};
        if (!next || head < *next) next = head;
      }
      n["events_missed"] = v.events_missed;
    }
    list.push_back(std::move(n));
  }
  out["nodes"] = std::move(list);
  out["up"] = up;
  out["total"] = nodes.size();
  out["holder"] = holder ? json(*holder) : json(nullptr);
  out["next"] = next ? json(next->second) : json(nullptr);
  if (richest) {
    const auto& v = nodes.at(*richest);
    out["height"] = best_height;
    out["balances"] = v.balances.is_object() ? v.balances : json::object();
    out["balances_from"] = *richest;
    json blocks = json::array();
    if (v.blocks.is_array())
      for (auto it = v.blocks.rbegin(); it != v.blocks.rend(); ++it) blocks.push_back(block_summary(*it));
    out["blocks"] = std::move(blocks);
  } else {
    out["height"] = nullptr;
    out["balances"] = json::object();
    out["balances_from"] = nullptr;
    out["blocks"] = json::array();
  }
  const auto recent = rates.over(kRateWindowMs), minute = rates.over(kWaitWindowMs);
  json series = json::array();
  for (const auto& p : rates.points())
    series.push_back({{"ago_s", std::round(static_cast<double>(now_ms - p.t_ms) / 100.0) / 10.0},
                      {"tps", std::round(p.tps * 10.0) / 10.0},
                      {"p50_ms", optional_ms(p.p50_ms)},
                      {"p99_ms", optional_ms(p.p99_ms)}});
  out["rates"] = {{"tps", std::round(recent.tps * 10.0) / 10.0},
                  {"tps_window_s", kRateWindowMs / 1000},
                  {"p50_ms", optional_ms(minute.p50_ms)},
                  {"p99_ms", optional_ms(minute.p99_ms)},
                  {"wait_window_s", kWaitWindowMs / 1000},
                  {"entries", minute.entries},
                  {"series", std::move(series)}};
  return out;
}

}  // namespace bank::live
