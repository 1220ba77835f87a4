// ConsistencyCheck: after the load, asks every node of a ProcessCluster whether they agree:
// one height, one head hash, a verified chain, identical balances that add up to the money
// the cluster started with, and a height that matches the commits the clients were told of.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "client/process_cluster.hpp"

namespace bank::bench {

struct CheckResult {
  std::string name;
  bool passed = false;
  std::string detail;  // the figures, passed or not
};

class ConsistencyCheck {
 public:
  explicit ConsistencyCheck(ProcessCluster& cluster) : cluster_(cluster) {}

  // `committed`: committed replies the clients got; `unanswered`: transfers whose outcome they
  // never learned (each may or may not have committed). Heights must agree within `bound`.
  std::vector<CheckResult> run(long long committed, long long unanswered, std::chrono::milliseconds bound);
  // The agreed height (or the highest seen when they did not agree).
  std::uint64_t height() const { return height_; }

 private:
  CheckResult same_height(std::chrono::milliseconds bound);
  CheckResult same_head();
  CheckResult verify();
  CheckResult balances();
  CheckResult height_matches(long long committed, long long unanswered) const;

  ProcessCluster& cluster_;
  std::uint64_t height_ = 0;
  bool heights_agree_ = false;
  std::vector<std::string> heads_;  // per node, from the status round where heights agreed
};

}  // namespace bank::bench
