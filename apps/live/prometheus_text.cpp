// PrometheusText: families gathered first (a family's samples must stand together), then
// written in order. Names from the node that are not Prometheus names are left out rather
// than written wrong.
#include "apps/live/prometheus_text.hpp"

#include <vector>

namespace bank::live {

namespace {

using nlohmann::json;

struct Family {
  std::string type;  // counter, gauge, histogram
  std::string help;
  std::vector<std::string> samples;
};

// What each of the node's names means, for # HELP; a name added later gets a pointer to the docs.
const std::map<std::string, std::string>& helps() {
  static const std::map<std::string, std::string> h{
      {"transfers_committed", "Transfers from this node's account committed."},
      {"transfers_aborted", "Transfers refused for funds at their turn in the critical section."},
      {"transfers_timed_out", "Transfers answered timeout (their request withdrawn)."},
      {"requests_rejected", "Console requests answered rejected."},
      {"requests_denied", "Console requests answered denied."},
      {"cs_requests", "Critical-section requests this node stamped and sent."},
      {"cs_entries", "Times this node entered the critical section."},
      {"cs_withdrawals", "Critical-section requests withdrawn before they were granted."},
      {"block_log_bytes", "Bytes this run wrote to the block and abort logs."},
      {"log_bytes", "Bytes of JSON log this run wrote."},
      {"height", "The chain's height (the last block's index)."},
      {"pending_transfers", "Transfers at this node waiting for their outcome."},
      {"queue_depth", "Requests in the mutex's queue now, this node's own included."},
      {"queue_depth_max", "The most requests the queue has held at once."},
      {"lamport", "The mutex's Lamport clock."},
      {"cs_wait", "Each request's wait from stamping it to entering the critical section."},
      {"cs_hold", "Each entry's hold of the critical section."},
      {"transfers_per_entry", "Blocks committed in each critical-section entry."},
      {"fsync", "Each fdatasync of the block log."},
      {"transfer", "Each transfer's time at this node, from its request to its answer."},
      {"peer_up", "1 when the link to the peer is up."},
      {"peer_unacked", "Sequenced frames sent to the peer and not yet acknowledged."},
      {"peer_resends", "Frames sent to the peer again."},
      {"peer_frames_sent", "Frames sent to the peer, every kind and resends included."},
      {"peer_link_losses", "Times the link to the peer went down."},
      {"peer_rtt", "Round trips on the link to the peer."},
  };
  return h;
}

bool prometheus_name(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string help_for(const std::string& base) {
  auto it = helps().find(base);
  return it != helps().end() ? it->second : "The node's " + base + " (docs/console-protocol.md#metrics).";
}

class Families {
 public:
  Family& get(const std::string& name, const std::string& type, const std::string& base) {
    auto [it, added] = by_name_.try_emplace(name);
    if (added) {
      order_.push_back(name);
      it->second.type = type;
      it->second.help = help_for(base);
    }
    return it->second;
  }
  std::string text() const {
    std::string out;
    for (const auto& name : order_) {
      const auto& f = by_name_.at(name);
      out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
      for (const auto& s : f.samples) out += s + "\n";
    }
    return out;
  }
  bool has(const std::string& name) const { return by_name_.count(name) > 0; }

 private:
  std::vector<std::string> order_;
  std::map<std::string, Family> by_name_;
};

std::uint64_t count_of(const json& v) { return v.is_number_unsigned() ? v.get<std::uint64_t>() : 0; }

// counters, gauges and histograms of one object (a node's, or a link's with `prefix` "peer_").
void add_part(Families& fams, const json& part, const std::string& prefix, const std::string& labels) {
  if (!part.is_object()) return;
  for (const char* kind : {"counters", "gauges"}) {
    auto it = part.find(kind);
    if (it == part.end() || !it->is_object()) continue;
    const bool counter = std::string(kind) == "counters";
    for (const auto& [name, value] : it->items()) {
      if (!prometheus_name(name) || !value.is_number_unsigned()) continue;
      const std::string base = prefix + name;
      const std::string full = "lamport_bank_" + base + (counter ? "_total" : "");
      fams.get(full, counter ? "counter" : "gauge", base)
          .samples.push_back(full + "{" + labels + "} " + std::to_string(value.get<std::uint64_t>()));
    }
  }
  auto hs = part.find("histograms");
  if (hs == part.end() || !hs->is_object()) return;
  for (const auto& [name, h] : hs->items()) {
    if (!prometheus_name(name) || !h.is_object()) continue;
    const auto bounds = h.value("bounds", json::array()), counts = h.value("counts", json::array());
    if (!bounds.is_array() || !counts.is_array() || counts.size() != bounds.size() + 1) continue;
    const bool micros = name.size() > 3 && name.compare(name.size() - 3, 3, "_us") == 0;
    const std::string base = prefix + (micros ? name.substr(0, name.size() - 3) : name);
    const std::string full = "lamport_bank_" + base + (micros ? "_seconds" : "");
    auto& f = fams.get(full, "histogram", base);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      running += count_of(counts[i]);
      const auto b = count_of(bounds[i]);
      const std::string le = micros ? PrometheusText::seconds(b) : std::to_string(b);
      f.samples.push_back(full + "_bucket{" + labels + ",le=\"" + le + "\"} " + std::to_string(running));
    }
    running += count_of(counts.back());
    f.samples.push_back(full + "_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(running));
    const auto sum = count_of(h.value("sum", json(0)));
    f.samples.push_back(full + "_sum{" + labels + "} " + (micros ? PrometheusText::seconds(sum) : std::to_string(sum)));
    f.samples.push_back(full + "_count{" + labels + "} " + std::to_string(running));
  }
}

}  // namespace

std::string PrometheusText::seconds(std::uint64_t micros) {
  std::string whole = std::to_string(micros / 1'000'000), frac = std::to_string(micros % 1'000'000);
  frac.insert(0, 6 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? whole : whole + "." + frac;
}

std::string PrometheusText::render(const std::map<NodeId, std::optional<json>>& nodes) {
  Families fams;
  auto& up = fams.get("lamport_bank_up", "gauge", "up");
  up.help = "1 when bank-web's last request to the node's console was answered.";
  for (const auto& [id, m] : nodes)
    up.samples.push_back("lamport_bank_up{node=\"" + std::to_string(id) + "\"} " + (m ? "1" : "0"));
  for (const auto& [id, m] : nodes) {
    if (!m || !m->is_object()) continue;
    const std::string node = "node=\"" + std::to_string(id) + "\"";
    add_part(fams, *m, "", node);
    auto peers = m->find("peers");
    if (peers == m->end() || !peers->is_object()) continue;
    for (const auto& [peer, part] : peers->items()) {
      bool digits = !peer.empty();
      for (char c : peer) digits = digits && c >= '0' && c <= '9';
      if (digits) add_part(fams, part, "peer_", node + ",peer=\"" + peer + "\"");
    }
  }
  return fams.text();
}

}  // namespace bank::live
