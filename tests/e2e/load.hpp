// Load: closed-loop clients with their own txids, for the end-to-end fault tests, and
// expect_flowing, the check that transfers are decided again after a fault.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster_checks.hpp"

namespace bank::e2e {

// A request without a decided answer (no reply, or timeout) is retried with the same txid
// until it is decided: that is how a user gets exactly-once through crashes. Txids are
// `prefix` + node.client.counter, so two loads on one cluster need two prefixes.
class Load {
 public:
  // Each client waits `pause` after each decided transfer (a steady rate for long runs;
  // none: as fast as the cluster decides).
  Load(ClusterHarness& c, int clients_per_node, int max_cents = 300, std::string prefix = "w",
       std::chrono::milliseconds pause = std::chrono::milliseconds(0));
  ~Load() { finish(); }
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;
  std::vector<Outcome> finish();
  int decided() const { return decided_; }
  // The outcomes decided so far from the `first`-th on, in the order they were decided (for
  // checks that run while the load goes on).
  std::vector<Outcome> since(std::size_t first);
  // Waits (bounded: 30 s) until `more` transfers are decided since the call, and returns
  // just after a decision.
  void wait_for(int more) const;

 private:
  void run(int node, int k);
  ClusterHarness& c_;
  unsigned max_cents_;
  std::string prefix_;
  std::chrono::milliseconds pause_;
  std::atomic<bool> stop_{false};
  std::atomic<int> decided_{0};
  std::mutex mu_;
  std::vector<Outcome> outcomes_;
  std::vector<std::thread> threads_;
};

// Each node decides a new transfer in its critical section: a cent to the next node,
// committed if its account still holds one (the load may have drained it: then aborted,
// which is decided at its turn inside the critical section too).
void expect_flowing(ClusterHarness& c);

}  // namespace bank::e2e
