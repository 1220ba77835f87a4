// ClusterHarness: what the end-to-end tests add to a ProcessCluster: a fresh temporary
// folder, relays that can cut the peer links, the hosting named by BANK_E2E_HOSTING, console
// requests and replies as plain JSON (so the tests read the wire apart from the product's
// codec), log reading, and running other programs. Every wait is bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/process_cluster.hpp"
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
  // TcpRelays that forward to them, so the test can cut links mid-stream. The config names
  // `hosting: X` when the environment variable BANK_E2E_HOSTING is X (one_thread or
  // thread_per_actor; anything else throws).
  explicit ClusterHarness(int nodes, std::string extra_yaml = "", bool relayed = false);
  ~ClusterHarness();  // stops the nodes; removes the folder unless E2E_KEEP is set

  void start(int id, std::optional<std::filesystem::path> config = std::nullopt);
  void start_all();
  // Variables ("NAME=value") added to node `id`'s environment from its next start on.
  void set_env(int id, std::vector<std::string> env) { cluster_.set_env(id, std::move(env)); }
  // Node `id` at another host, started through a launcher (ProcessCluster's).
  void set_host(int id, std::string host) { cluster_.set_host(id, std::move(host)); }
  void set_launcher(int id, std::vector<std::string> words) { cluster_.set_launcher(id, std::move(words)); }
  // SIGTERM (or another signal) and wait for the exit; returns the exit status, or -signal.
  int stop(int id, int sig = 15) { return cluster_.stop(id, sig); }
  bool running(int id) const { return cluster_.running(id); }
  // Sends a signal without waiting (SIGSTOP/SIGCONT); false if the node is not running.
  bool signal(int id, int sig) { return cluster_.signal(id, sig); }
  // SIGSTOP, returning once every thread of the node has stopped (ProcessCluster::pause).
  bool pause(int id) { return cluster_.pause(id); }
  void stop_all() { cluster_.stop_all(); }

  // One console request; nullopt when no reply came within `timeout`. A reply that is not
  // JSON comes back as {"unparsable": its text}.
  std::optional<nlohmann::json> ask(int id, const nlohmann::json& request,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::optional<nlohmann::json> ask_raw(int id, const std::string& bytes,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The same as the holder of another client's key (`as`), or of any keys (nullopt: none,
  // a plain socket).
  std::optional<nlohmann::json> ask_as(int id, int as, const nlohmann::json& request,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::optional<nlohmann::json> ask_with(int id, std::optional<ConsoleKeys> keys, const nlohmann::json& request,
                                         std::chrono::milliseconds timeout);
  // Node `id`'s own secret keys, as a compromised node's files would give them away.
  NodeSecret node_secret(int id) const;
  // A DEALER on `ctx` connected to node `to`'s peer port with node `as`'s keys: a
  // compromised node `as` speaking for itself. Unsent frames may delay close by `linger_ms`.
  zmq::socket_t peer_dealer(zmq::context_t& ctx, int as, int to, int linger_ms = 1000) const;
  // Waits until every started node answers status and sees all its running peers connected.
  void wait_ready(std::chrono::milliseconds bound = std::chrono::seconds(15));
  // Waits until all started nodes report the same height; returns it.
  std::uint64_t wait_same_height(std::chrono::milliseconds bound = std::chrono::seconds(15));

  std::vector<nlohmann::json> log_events(int id) const;
  std::string stderr_text(int id) const { return cluster_.stderr_text(id); }
  std::optional<long long> peak_rss_kib(int id) const { return cluster_.peak_rss_kib(id); }
  std::optional<pid_t> pid(int id) const { return cluster_.pid(id); }
  std::filesystem::path log_path(int id) const { return cluster_.log_path(id); }

  const std::filesystem::path& dir() const { return cluster_.dir(); }
  const std::filesystem::path& config() const { return cluster_.config(); }
  int peer_port(int id) const { return cluster_.peer_port(id); }
  int console_port(int id) const { return cluster_.console_port(id); }
  // Cuts every peer connection of the cluster at once (relayed clusters).
  void cut_links();
  int cuts() const;
  int size() const { return cluster_.size(); }

  // Runs a program with `input` on stdin; captures stdout, stderr and the exit code.
  static CommandResult run(const std::vector<std::string>& argv, const std::string& input = "",
                           std::chrono::milliseconds bound = std::chrono::seconds(30));

 private:
  ProcessCluster cluster_;
  std::map<int, std::unique_ptr<TcpRelay>> relays_;
};

}  // namespace bank::e2e
