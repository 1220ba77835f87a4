// Node: one bank node's actors wired together on one ZeroMQ context: the network, mutex,
// ledger and bank shells around their cores, hosted by an ActorThread. Construction binds
// every socket (so a busy port fails before anything runs); start() runs the thread;
// stop() sends it $TERM, joins it, and frees what was still queued.
#pragma once

#include <memory>

#include "actors/bank/bank_shell.hpp"
#include "actors/ledger/ledger_shell.hpp"
#include "actors/mutex/mutex_shell.hpp"
#include "actors/network/network_shell.hpp"
#include "actors/shell/actor_thread.hpp"
#include "config/cluster_config.hpp"

namespace bank {

class Node {
 public:
  // Loads and verifies the node's block log; throws std::runtime_error naming the problem
  // when the log is damaged or a port cannot be bound.
  Node(const ClusterConfig& config, NodeId self, std::FILE* log);
  ~Node();

  void start();
  void stop();

 private:
  zmq::context_t ctx_;
  LogSink log_;
  std::uint64_t incarnation_ = 0;
  std::vector<std::unique_ptr<ActorShell>> shells_;    // outlive the threads that host them
  std::vector<std::unique_ptr<ActorThread>> threads_;
  bool running_ = false;
};

}  // namespace bank
