// InvariantChecker: what must hold after every event of a run (one holder of the critical
// section, chains that are prefixes of one another, money conserved, no negative account,
// requests granted in time once calm) and at its end (every client answered, equal verified
// chains, replies that match the chain, retries that keep their outcome).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "actors/bank/bank_core.hpp"
#include "sim_node.hpp"
#include "simulation.hpp"
#include "workload.hpp"

namespace bank::sim {

class InvariantChecker {
 public:
  // A fork planted at the start: from index `at` on, node `a` and node `b` hold different
  // blocks (`planted`: every block any node may ever hold at an index >= at). What must hold
  // instead of one chain: no node ever holds a block above the shared prefix that was not
  // planted (the fork is never built on: no transfer commits); and at the end every running
  // node whose chain differs from another running node's at an index both hold has found a
  // divergence (it stops at the first: it appends nothing more, so it need not find them
  // all), its mutex and bank were told, and every transfer was refused or timed out.
  struct Fork {
    std::uint64_t at = 0;
    NodeId a = 0, b = 0;
    std::map<std::uint64_t, std::set<std::string>> planted;
  };

  InvariantChecker() = default;
  // Money in the cluster is `total`; the network is calm from `calm_at` on.
  InvariantChecker(Cents total, std::int64_t calm_at, std::optional<Fork> fork = std::nullopt)
      : total_(total), calm_at_(calm_at), fork_(std::move(fork)) {}

  // The first invariant broken after an event at `now`, in one sentence.
  std::optional<std::string> after_event(const SimNodes& nodes, const SimStores& stores, std::int64_t now, bool calm);
  // The first end-of-run invariant broken. Counts the clients' outcomes into `result`.
  // `faults`: the run crashed a node or cut the network.
  std::optional<std::string> at_end(const SimNodes& nodes, const Workload& workload, bool faults,
                                    const BankOptions& bank, SimResult& result) const;

 private:
  void track_requests(const SimNodes& nodes, std::int64_t now);
  std::optional<std::string> fork_after_event(const SimStores& stores) const;
  std::optional<std::string> fork_at_end(const SimNodes& nodes, const Workload& workload, SimResult& result) const;

  Cents total_ = 0;
  std::int64_t calm_at_ = 0;
  std::optional<Fork> fork_;
  std::map<NodeId, std::int64_t> waiting_since_;  // nodes whose request (or Acquire) is not yet granted
  static constexpr std::int64_t grant_bound_ms_ = 3000;
};

}  // namespace bank::sim
