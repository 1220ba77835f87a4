// ClusterHarness: real bank-node processes for end-to-end tests. Writes a config with free
// loopback ports into a fresh temporary folder, starts and stops nodes, talks to their
// consoles, reads their logs. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "tcp_relay.hpp"

namespace bank::e2e {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class ClusterHarness {
 public:
  // `extra_yaml` is appended to the top level of the config (e.g. "acquire_timeout_ms: 800\n").
  // `relayed`: each node gets a config of its own in which its peers' ports are those of
  // TcpRelays that forward to them, so the test can cut links mid-stream.
  explicit ClusterHarness(int nodes, std::string extra_yaml = "", bool relayed = false);
  ~ClusterHarness();

  void start(int id, std::optional<std::filesystem::path> config = std::nullopt);
  void start_all();
  // SIGTERM (or another signal) and wait for the exit; returns the exit status, or -signal.
  int stop(int id, int sig = 15);
  bool running(int id) const { return pids_.contains(id); }
  // Sends a signal without waiting (SIGSTOP/SIGCONT); false if the node is not running.
  bool signal(int id, int sig);
  void stop_all();

  // One console request; nullopt when no reply came within `timeout`.
  std::optional<nlohmann::json> ask(int id, const nlohmann::json& request,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::optional<nlohmann::json> ask_raw(int id, const std::string& bytes,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits until every started node answers status and sees all its peers connected.
  void wait_ready(std::chrono::milliseconds bound = std::chrono::seconds(15));
  // Waits until all started nodes report the same height; returns it.
  std::uint64_t wait_same_height(std::chrono::milliseconds bound = std::chrono::seconds(15));

  std::vector<nlohmann::json> log_events(int id) const;
  std::string stderr_text(int id) const;

  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& config() const { return config_; }
  int peer_port(int id) const { return ports_.at(id).first; }
  int console_port(int id) const { return ports_.at(id).second; }
  // Cuts every peer connection of the cluster at once (relayed clusters).
  void cut_links();
  int cuts() const;
  int size() const { return nodes_; }

  // Runs a program with `input` on stdin; captures stdout, stderr and the exit code.
  static CommandResult run(const std::vector<std::string>& argv, const std::string& input = "",
                           std::chrono::milliseconds bound = std::chrono::seconds(30));
  static int free_port();
  static int probe_port();

 private:
  int nodes_;
  std::filesystem::path dir_, config_;
  std::map<int, std::pair<int, int>> ports_;
  std::map<int, pid_t> pids_;
  std::map<int, std::unique_ptr<TcpRelay>> relays_;
  zmq::context_t ctx_{1};
};

}  // namespace bank::e2e
