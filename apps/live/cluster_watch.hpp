// ClusterWatch: follows every node of a cluster config through its console, as bank-web and
// bank-cli watch show it: a thread per node asks status, balance, the chain's last blocks,
// metrics and the event feed's new events about twice a second, and keeps the answers for
// whoever takes a snapshot. A node that does not answer is marked down (a connection that is
// not made within 300 ms fails fast, a reply gets a second), and is asked again each round:
// when it is back it is up again and its event feed is followed from its new start. Every
// second the nodes' counters go into a RateHistory (transfers per second, wait percentiles).
//
// It reads as a client the nodes know: `key` if given, else for each node the owner key of
// another account of the config (keys_dir/client-M.secret, M the next id), which that node
// lets read and nothing else; with a one-node config, its own. Security off: no keys.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "apps/live/rate_history.hpp"
#include "client/console_client.hpp"
#include "config/cluster_config.hpp"
#include "messages/result.hpp"

namespace bank::live {

// One node as last seen.
struct NodeView {
  NodeId id = 0;
  std::string endpoint;
  bool up = false;          // its last round was answered
  bool answered = false;    // it has answered since the watch began
  std::string why_down;     // when down: what the last ask met
  nlohmann::json status;    // its last status reply (null before one)
  nlohmann::json balances;  // {"1":cents,...} (null before one)
  nlohmann::json blocks = nlohmann::json::array();  // its last kBlocks blocks, oldest first
  nlohmann::json metrics;   // its last metrics object (null before one)
  bool in_cs = false;       // its feed's last cs_enter has no cs_exit yet
  std::deque<nlohmann::json> events;  // its feed's events of the last keep_events, oldest first
  std::deque<std::int64_t> arrivals;  // when each of them was read (steady clock, ms)
  std::uint64_t events_missed = 0;    // events it dropped before they were read
};

class ClusterWatch {
 public:
  static constexpr std::size_t kBlocks = 10;
  struct Options {
    std::chrono::milliseconds interval{500};  // between one node's rounds
    bool events = true;                       // follow the event feeds (the diagram, the holder)
    std::chrono::milliseconds keep_events{15'000};
  };

  // keys.* errors name the key file that is missing or bad.
  static Result<std::optional<ConsoleKeys>> reader_keys(const ClusterConfig& config, NodeId node,
                                                        const std::optional<std::filesystem::path>& key);

  ClusterWatch(const ClusterConfig& config, std::optional<std::filesystem::path> key, Options options);
  ~ClusterWatch();  // stops and joins the threads
  ClusterWatch(const ClusterWatch&) = delete;
  ClusterWatch& operator=(const ClusterWatch&) = delete;

  // Reads the keys and starts the threads.
  std::optional<Error> start();
  std::map<NodeId, NodeView> snapshot() const;
  RateHistory rates() const;
  const ClusterConfig& config() const { return config_; }

 private:
  void follow(NodeId id, std::optional<ConsoleKeys> keys);
  void sample_rates();
  bool stopping() const { return stop_.load(); }

  ClusterConfig config_;
  std::optional<std::filesystem::path> key_;
  Options options_;
  zmq::context_t ctx_{1};
  mutable std::mutex mutex_;  // guards views_ and rates_
  std::map<NodeId, NodeView> views_;
  RateHistory rates_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace bank::live
