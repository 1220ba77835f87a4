// InvariantChecker: what must hold after every event of a run (one holder of the critical
// section, chains that are prefixes of one another, money conserved, no negative account,
// requests granted in time once calm) and at its end (every client answered, equal verified
// chains, replies that match the chain, retries that keep their outcome).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "actors/bank/bank_core.hpp"
#include "sim_node.hpp"
#include "simulation.hpp"
#include "workload.hpp"

namespace bank::sim {

class InvariantChecker {
 public:
  InvariantChecker() = default;
  // Money in the cluster is `total`; the network is calm from `calm_at` on.
  InvariantChecker(Cents total, std::int64_t calm_at) : total_(total), calm_at_(calm_at) {}

  // The first invariant broken after an event at `now`, in one sentence.
  std::optional<std::string> after_event(const SimNodes& nodes, const SimStores& stores, std::int64_t now, bool calm);
  // The first end-of-run invariant broken. Counts the clients' outcomes into `result`.
  // `faults`: the run crashed a node or cut the network.
  std::optional<std::string> at_end(const SimNodes& nodes, const Workload& workload, bool faults,
                                    const BankOptions& bank, SimResult& result) const;

 private:
  void track_requests(const SimNodes& nodes, std::int64_t now);

  Cents total_ = 0;
  std::int64_t calm_at_ = 0;
  std::map<NodeId, std::int64_t> waiting_since_;  // nodes whose request (or Acquire) is not yet granted
  static constexpr std::int64_t grant_bound_ms_ = 3000;
};

}  // namespace bank::sim
