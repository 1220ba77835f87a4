// LocalCluster: a run folder with a cluster.yaml on free loopback ports and N real bank-node
// processes in it; starts them, waits until they see each other, asks their consoles, reads
// their CPU time and peak RSS from /proc, and stops them. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "messages/types.hpp"

namespace bank::bench {

struct ClusterSpec {
  int nodes = 3;
  bool fsync = true;
  std::optional<int> batch;  // written as `batch: B` only when given
  Cents initial_balance = 0;
};

class LocalCluster {
 public:
  // Writes dir/cluster.yaml with fresh ports; `node_bin` is the bank-node executable.
  // Throws std::runtime_error when the config cannot be written or no port is free.
  LocalCluster(std::filesystem::path dir, std::filesystem::path node_bin, ClusterSpec spec);
  ~LocalCluster();  // stops whatever still runs
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // posix_spawn every node: `bank-node --config F --id i --log dir/node-i.log`, stderr to
  // dir/node-i.stderr. Throws std::runtime_error when a spawn fails.
  void start_all();
  // Waits until every node answers status with all its peers connected. On failure returns
  // one line naming the node and what it last said (or how it exited) plus its stderr.
  std::optional<std::string> wait_ready(std::chrono::milliseconds bound);

  // One console request on a fresh REQ socket; nullopt when no reply came within `timeout`.
  std::optional<nlohmann::json> ask(int id, const nlohmann::json& request, std::chrono::milliseconds timeout);

  // utime+stime of the node so far, in seconds; nullopt when /proc cannot tell (node gone).
  std::optional<double> cpu_seconds(int id) const;
  // VmHWM of the node, in KiB; nullopt when /proc cannot tell.
  std::optional<long long> peak_rss_kib(int id) const;

  // SIGTERM to every running node, wait up to `bound` for all, then SIGKILL the rest.
  // Returns each node's exit: its exit code, or -signal.
  std::map<int, int> stop_all(std::chrono::milliseconds bound);

  int size() const { return spec_.nodes; }
  const ClusterSpec& spec() const { return spec_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path log_path(int id) const;
  std::string stderr_text(int id) const;
  std::uint16_t console_port(int id) const { return ports_.at(id).second; }
  zmq::context_t& context() { return ctx_; }

 private:
  static std::uint16_t free_port();
  // Reaps `id` if it exited; returns its exit (code or -signal) then.
  std::optional<int> reap(int id);

  std::filesystem::path dir_, node_bin_, config_;
  ClusterSpec spec_;
  std::map<int, std::pair<std::uint16_t, std::uint16_t>> ports_;  // id -> (peer, console)
  std::map<int, pid_t> pids_;                                    // running nodes only
  std::map<int, int> exits_;                                     // reaped nodes: exit code or -signal
  zmq::context_t ctx_{1};
};

}  // namespace bank::bench
