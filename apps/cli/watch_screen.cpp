// WatchScreen: fixed columns, so the figures stay put from one second to the next.
#include "apps/cli/watch_screen.hpp"

#include <cstdio>

#include "apps/cli/reply_text.hpp"

namespace bank::cli {

namespace {

using nlohmann::json;

std::string pad(std::string s, std::size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string ms(const json& v) {
  if (!v.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, v.get<double>() < 10 ? "%.2f ms" : "%.1f ms", v.get<double>());
  return buf;
}

std::string queue_text(const json& q) {
  if (!q.is_array() || q.empty()) return "-";
  std::string s;
  for (const auto& r : q)
    s += (s.empty() ? "" : " ") + ("(" + std::to_string(r.value("ts", 0ULL)) + "," + std::to_string(r.value("node", 0U)) + ")");
  return s;
}

std::string peers_text(const json& peers) {
  if (!peers.is_array()) return "-";
  std::size_t up = 0;
  for (const auto& p : peers) up += p.value("connected", false) ? 1 : 0;
  return std::to_string(up) + "/" + std::to_string(peers.size());
}

}  // namespace

std::string WatchScreen::text(const json& s, const std::string& title, const std::string& clock) {
  std::string out = "Lamport Bank: " + title + ", " + std::to_string(s.value("up", 0)) + " of " +
                    std::to_string(s.value("total", 0)) + " nodes up    " + clock + "\n\n";
  out += "node  state  lamport  height  head      peers  queue\n";
  const auto holder = s.value("holder", json(nullptr)), next = s.value("next", json(nullptr));
  for (const auto& n : s.value("nodes", json::array())) {
    const auto id = n.value("id", 0U);
    std::string row = pad(std::to_string(id), 4, true) + "  ";
    if (!n.value("up", false)) {
      row += "DOWN   " + n.value("why_down", std::string("no answer"));
    } else {
      row += "up     " + pad(std::to_string(n.value("lamport", 0ULL)), 7, true) + "  " +
             pad(std::to_string(n.value("height", 0ULL)), 6, true) + "  " + pad(n.value("head", std::string()).substr(0, 8), 8) +
             "  " + pad(peers_text(n["peers"]), 5) + "  " + queue_text(n["queue"]);
      if (holder == json(id)) row += "   <- in the critical section";
      else if (next == json(id)) row += "   <- next";
    }
    out += row + "\n";
  }
  out += "\n";
  if (s.value("balances_from", json(nullptr)).is_null()) {
    out += "balances: no node answers\n";
  } else {
    std::string b;
    for (const auto& [id, cents] : s["balances"].items())
      b += (b.empty() ? "" : "   ") + id + " " + (cents.is_number_integer() ? dollars(cents.get<Cents>()) : "?");
    out += "balances: " + b + "   (at height " + std::to_string(s.value("height", 0ULL)) + ")\n";
    std::string blocks;
    std::size_t shown = 0;
    for (const auto& blk : s.value("blocks", json::array())) {
      if (shown++ == 3 || blk.value("genesis", false)) break;
      blocks += (blocks.empty() ? "" : "   ") + ("#" + std::to_string(blk.value("index", 0ULL)) + " " +
                                               std::to_string(blk.value("from", 0U)) + "->" + std::to_string(blk.value("to", 0U)) + " " +
                                               dollars(blk.value("amount", Cents{0})) + " " + blk.value("txid", std::string()));
    }
    out += "last blocks: " + (blocks.empty() ? std::string("none yet") : blocks) + "\n";
  }
  const auto r = s.value("rates", json::object());
  char rate[160];
  std::snprintf(rate, sizeof rate, "rates: %.1f transfers/s over %llu s; critical-section wait p50 %s, p99 %s over %llu s\n",
                r.value("tps", 0.0), static_cast<unsigned long long>(r.value("tps_window_s", 0ULL)), ms(r.value("p50_ms", json())).c_str(),
                ms(r.value("p99_ms", json())).c_str(), static_cast<unsigned long long>(r.value("wait_window_s", 0ULL)));
  out += rate;
  return out;
}

}  // namespace bank::cli
