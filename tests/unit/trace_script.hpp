// TraceScript: hand-made runs for bank-trace's tests, written as the nodes' log lines (so
// every test also goes through the reader): messages with both ends, critical sections,
// commits. Times are microseconds after 2024-05-01T12:00:00Z.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "apps/trace/trace_event.hpp"
#include "apps/trace/trace_reader.hpp"
#include "apps/trace/trace_time.hpp"

namespace bank::trace::unit {

class TraceScript {
 public:
  static constexpr std::int64_t kStart = 1714564800000000;  // 2024-05-01T12:00:00Z

  // Any event: the common fields, then `fields`.
  void line(std::int64_t at, NodeId node, Lamport lamport, const std::string& event, nlohmann::json fields = {}) {
    nlohmann::json j = {{"ts", TraceTime::format(kStart + at)}, {"node", node}, {"lamport", lamport}, {"event", event}};
    for (auto& [k, v] : fields.items()) j[k] = v;
    logs_[node] += j.dump() + "\n";
  }

  // One message from `from` to `to`: its send at `sent` and, unless `received` is negative,
  // its recv at `received`. The sender's incarnation is 100 * id; seq counts per direction.
  // Returns the message's number, for received_again.
  std::size_t message(const std::string& type, NodeId from, NodeId to, Stamp req, Lamport stamp, std::int64_t sent,
                      std::int64_t received, std::size_t blocks = 0) {
    const std::uint64_t seq = ++seq_[{from, to}];
    nlohmann::json msg = {{"type", type}, {"from", from}, {"lamport", stamp}, {"inc", 100 * from},
                          {"to_inc", 100 * to}, {"seq", seq}, {"ack", 0}, {"req", {{"ts", req.ts}, {"node", req.node}}}};
    if (type == "release") msg["blocks"] = nlohmann::json::array();
    for (std::size_t k = 0; k < blocks; ++k) msg["blocks"].push_back({{"index", k}});
    if (type != "release") msg["height"] = 0;
    line(sent, from, stamp, "send", {{"peer", to}, {"type", type}, {"msg", msg}});
    if (received >= 0) line(received, to, stamp + 1, "recv", {{"peer", from}, {"type", type}, {"msg", msg}});
    recvs_.push_back({to, stamp + 1, {{"peer", from}, {"type", type}, {"msg", msg}}});
    return recvs_.size() - 1;
  }

  // Message `number`'s recv once more at `at`: a resend that arrives after the link took it.
  void received_again(std::size_t number, std::int64_t at) {
    const auto& [to, lamport, fields] = recvs_.at(number);
    line(at, to, lamport, "recv", fields);
  }

  void enter(std::int64_t at, NodeId node, Stamp req) { line(at, node, req.ts + 3, "cs_enter", {{"req", stamp(req)}}); }
  void exit(std::int64_t at, NodeId node, Stamp req) { line(at, node, req.ts + 3, "cs_exit", {{"req", stamp(req)}}); }
  void commit(std::int64_t at, NodeId node, std::uint64_t index, const std::string& txid, NodeId from, NodeId to) {
    line(at, node, 0, "commit", {{"index", index}, {"txid", txid}, {"from", from}, {"to", to}, {"amount", 100}});
  }

  // A whole entry of `node` by Lamport's rules: request to every peer, a reply from each,
  // enter, commit `txid` as block `index` on every node, exit, release. Times from `at` on.
  void entry(std::int64_t at, NodeId node, const std::vector<NodeId>& peers, Lamport ts, std::uint64_t index,
             const std::string& txid) {
    const Stamp req{ts, node};
    for (NodeId p : peers) message("request", node, p, req, ts + 1, at, at + 10);
    for (NodeId p : peers) message("reply", p, node, req, ts + 2, at + 20, at + 30);
    enter(at + 40, node, req);
    commit(at + 41, node, index, txid, node, peers.front());
    exit(at + 50, node, req);
    for (NodeId p : peers) {
      message("release", node, p, req, ts + 3, at + 51, at + 60, 1);
      commit(at + 61, p, index, txid, node, peers.front());
    }
  }

  // The events, read back as bank-trace reads node logs.
  std::vector<TraceEvent> events() const {
    TraceReader reader;
    for (const auto& [node, text] : logs_) REQUIRE_FALSE(reader.add_text(text, "node-" + std::to_string(node) + ".log"));
    return reader.take_events();
  }
  const std::map<NodeId, std::string>& logs() const { return logs_; }

 private:
  static nlohmann::json stamp(Stamp s) { return {{"ts", s.ts}, {"node", s.node}}; }

  std::map<NodeId, std::string> logs_;
  std::map<std::pair<NodeId, NodeId>, std::uint64_t> seq_;
  std::vector<std::tuple<NodeId, Lamport, nlohmann::json>> recvs_;  // each message's recv line
};

}  // namespace bank::trace::unit
