// BenchReport: the figures of one bench run, as a human table and as the one-line JSON
// object that ends the output.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/bench/bench_clients.hpp"
#include "apps/bench/consistency_check.hpp"
#include "apps/bench/log_stats.hpp"

namespace bank::bench {

struct NodeFigures {
  int id = 0;
  std::optional<double> cpu_s;            // CPU time spent during the load window
  std::optional<long long> peak_rss_kib;  // VmHWM at the end of the load
  std::optional<long long> frames_sent;   // to every peer, every kind: its metrics at the end of the load
  LogStats log;
};

struct RunFigures {
  int nodes = 0;
  int clients = 0;
  double seconds = 0;
  bool fsync = true;
  std::optional<int> batch;
  std::optional<std::string> hosting;
  bool security = true;
  std::uint64_t seed = 0;
  LoadResult load;
  std::uint64_t height = 0;
  std::vector<CheckResult> checks;
  std::vector<NodeFigures> node;
};

class BenchReport {
 public:
  explicit BenchReport(RunFigures figures);

  bool consistent() const;
  void print_table(std::FILE* out) const;
  // Keys in this order: nodes clients seconds committed aborted throughput p50_ms p99_ms
  // msgs_per_cs consistent, then failed fsync batch transfers_per_cs lamport_msgs_per_cs
  // cpu_s_per_1000 peak_rss_mib seed, then p90_ms max_ms window_s height unanswered bench_cpu_s
  // hosting security.
  nlohmann::ordered_json json() const;

 private:
  std::optional<double> percentile_ms(double p) const;
  std::optional<double> per_entry(long long count) const;  // count / all cs entries
  std::optional<double> per_entry(std::optional<long long> count) const;
  std::optional<long long> frames_sent() const;  // every node's, or nothing when one did not say
  std::optional<double> cpu_per_1000() const;
  double throughput() const;

  RunFigures f_;
  std::vector<std::int64_t> sorted_us_;
  LogStats all_;
};

}  // namespace bank::bench
