// Node: one bank node's actors wired together on one ZeroMQ context: network, mutex,
// ledger and bank shells, each a thread around its core. Construction binds every socket
// (so a busy port fails before anything runs); start() runs the threads; stop() sends
// $TERM to each, joins them, and frees what was still queued.
#pragma once

#include <memory>

#include "actors/bank/bank_shell.hpp"
#include "actors/ledger/ledger_shell.hpp"
#include "actors/mutex/mutex_shell.hpp"
#include "actors/network/network_shell.hpp"
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
  std::vector<std::unique_ptr<ActorShell>> shells_;
  bool running_ = false;
};

}  // namespace bank
