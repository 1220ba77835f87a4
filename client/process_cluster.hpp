// ProcessCluster: a run folder with a cluster config on free loopback ports and real
// bank-node processes in it: starts them, waits until they see each other, hands out
// console clients, reads their CPU time and peak RSS from /proc, and stops them. Every wait
// is bounded. bank-bench and the end-to-end tests both run their clusters through it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "client/console_client.hpp"
#include "config/cluster_config.hpp"
#include "messages/types.hpp"

namespace bank {

struct ClusterSpec {
  int nodes = 3;
  Cents initial_balance = 0;
  bool fsync = true;
  std::optional<int> batch;        // written as `batch: B` only when given
  std::optional<Hosting> hosting;  // written as `hosting: X` only when given
  std::string extra_yaml;          // appended to the top level as it is
  std::string written_by;          // when given, a first comment line: "# written by X"
  // On (the default): the cluster's key files are made in dir/keys beside the config, and
  // consoles talk CURVE with them. Off: `security: off` (trusted benchmarks only).
  bool security = true;
};

class ProcessCluster {
 public:
  // Writes dir/cluster.yaml with fresh ports; `node_bin` is the bank-node executable.
  // Throws std::runtime_error when the config cannot be written or no port is free.
  ProcessCluster(std::filesystem::path dir, std::filesystem::path node_bin, ClusterSpec spec);
  ~ProcessCluster();  // stops whatever still runs
  ProcessCluster(const ProcessCluster&) = delete;
  ProcessCluster& operator=(const ProcessCluster&) = delete;

  // Writes a config like dir/cluster.yaml in which node `id` is reached at `peer_ports[id]`
  // where given (the consoles stay), e.g. through a relay.
  void write_config(const std::filesystem::path& file, const std::map<int, std::uint16_t>& peer_ports) const;

  // posix_spawn `bank-node --config F --id i --log dir/node-i.log` (F: dir/cluster.yaml unless
  // given), stdin and stdout /dev/null, stderr appended to dir/node-i.stderr. Throws
  // std::runtime_error when the spawn fails.
  void start(int id, const std::optional<std::filesystem::path>& config = std::nullopt);
  void start_all();
  // Variables ("NAME=value") added to node `id`'s environment from its next start on, e.g.
  // an LD_PRELOAD the tests put under it; an empty list clears them.
  void set_env(int id, std::vector<std::string> env) { env_[id] = std::move(env); }
  // Node `id` is reached at `host` (its host in the config, and where consoles connect)
  // instead of 127.0.0.1: the config is written again. Before the node starts.
  void set_host(int id, std::string host);
  // The words put before bank-node's at node `id`'s starts, e.g. ip netns exec NAME (found
  // on PATH); the pid is then the launcher's, which must exec bank-node.
  void set_launcher(int id, std::vector<std::string> launcher) { launchers_[id] = std::move(launcher); }
  const std::string& host(int id) const;
  // Waits until every running node answers status with every running peer connected. On
  // failure returns one line naming the node and what it last said (or how it exited) plus
  // its stderr.
  std::optional<std::string> wait_ready(std::chrono::milliseconds bound);

  // `sig` (then SIGCONT, in case it was stopped) and a wait of up to `bound`, then SIGKILL.
  // Returns its exit code, or -signal; -1 when it was not running.
  int stop(int id, int sig = 15, std::chrono::milliseconds bound = std::chrono::seconds(10));
  // The same for every running node at once. Returns each node's last exit.
  std::map<int, int> stop_all(std::chrono::milliseconds bound = std::chrono::seconds(10));
  // Sends a signal without waiting (SIGSTOP, SIGCONT); false when the node is not running.
  bool signal(int id, int sig);
  // SIGSTOP, then waits (up to `bound`) until every thread of the node shows stopped in
  // /proc: kill() returns before a thread running on another core has stopped, and what it
  // does meanwhile (a log line, a message) would land after the caller thinks it paused.
  // False when the node is not running, has exited, or is not stopped within `bound`.
  bool pause(int id, std::chrono::milliseconds bound = std::chrono::seconds(2));
  bool running(int id) const { return pids_.contains(id); }
  // The running node's process id (for reading /proc), or nullopt.
  std::optional<pid_t> pid(int id) const {
    auto it = pids_.find(id);
    return it == pids_.end() ? std::nullopt : std::optional<pid_t>(it->second);
  }

  // Waits in the cluster's clients and loops give up once `stop` returns true.
  void stop_when(std::function<bool()> stop) { stop_ = std::move(stop); }
  // A client of node `id`'s console on the cluster's context, holding the owner key of
  // account `as` (default: `id`, so it may transfer).
  ConsoleClient console(int id, std::optional<int> as = std::nullopt);
  // The CURVE keys console() uses; nullopt with security off. Throws std::runtime_error
  // when a key file cannot be read.
  std::optional<ConsoleKeys> console_keys(int id, std::optional<int> as = std::nullopt) const;
  // One request on a fresh socket: console(id).ask(request, timeout).
  Result<ConsoleReply> ask(int id, const ConsoleRequest& request, std::chrono::milliseconds timeout);

  // One round of status requests to the running nodes.
  struct StatusRound {
    std::map<int, StatusReply> replies;  // the nodes that answered status
    std::string text;                    // " node 1: 12 node 2: no reply ..." for messages
    bool agree() const;                  // at least one answered, all at one height
  };
  // Polls status every 50 ms until every running node answers at one height, or `bound`
  // passes, or a stop; returns the last round either way.
  StatusRound wait_same_height(std::chrono::milliseconds bound);

  // utime+stime of the node so far, in seconds; nullopt when /proc cannot tell (node gone).
  std::optional<double> cpu_seconds(int id) const;
  // VmHWM of the node, in KiB; nullopt when /proc cannot tell.
  std::optional<long long> peak_rss_kib(int id) const;

  int size() const { return spec_.nodes; }
  const ClusterSpec& spec() const { return spec_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& config() const { return config_; }
  std::filesystem::path keys_dir() const { return dir_ / "keys"; }
  std::filesystem::path log_path(int id) const;
  // The node's stderr so far, trailing blank lines and spaces cut.
  std::string stderr_text(int id) const;
  std::uint16_t peer_port(int id) const { return ports_.at(id).first; }
  std::uint16_t console_port(int id) const { return ports_.at(id).second; }
  zmq::context_t& context() { return ctx_; }

  // A loopback port the kernel just handed out and took back; never the same one twice in
  // this process. Another program may still take it before a node binds it.
  static std::uint16_t free_port();

 private:
  // Reaps `id` if it exited; returns its exit (code or -signal) then.
  std::optional<int> reap(int id);
  // Waits until node `id` is ready (see wait_ready) or the deadline passes.
  std::optional<std::string> wait_node_ready(int id, std::chrono::steady_clock::time_point deadline,
                                             std::chrono::milliseconds bound);
  bool stopped() const { return stop_ && stop_(); }

  std::filesystem::path dir_, node_bin_, config_;
  ClusterSpec spec_;
  std::map<int, std::pair<std::uint16_t, std::uint16_t>> ports_;  // id -> (peer, console)
  std::map<int, pid_t> pids_;                                    // running nodes only
  std::map<int, int> exits_;                                     // reaped nodes: exit code or -signal
  std::map<int, std::vector<std::string>> env_;                  // added to a node's environment
  std::map<int, std::string> hosts_;                              // when not 127.0.0.1
  std::map<int, std::vector<std::string>> launchers_;             // before bank-node's words
  std::function<bool()> stop_;
  zmq::context_t ctx_{1};
};

}  // namespace bank
