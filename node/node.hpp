// Node: one bank node: its four cores (NodeCores) in their shells (network, mutex, ledger,
// bank) on one ZeroMQ context, hosted as the config's `hosting` says: all on one
// ActorThread, or an ActorThread each, over inproc sockets. Construction loads and verifies
// the block log and binds every socket (so a busy port fails before anything runs);
// start() runs the threads; stop() sends them $TERM, joins them, and frees what was queued.
#pragma once

#include <memory>

#include "config/cluster_config.hpp"
#include "runtime/actor_thread.hpp"
#include "runtime/zap_handler.hpp"

namespace bank {

class Node {
 public:
  // Throws std::runtime_error naming the problem when a key file is missing or malformed,
  // the log is damaged, or a port cannot be bound. Keys are read before anything on disk
  // is touched.
  Node(const ClusterConfig& config, NodeId self, std::FILE* log);
  ~Node();

  void start();
  void stop();
  // Log rotation: later lines go to `log`; returns the file they went to before.
  std::FILE* replace_log(std::FILE* log) { return log_.replace(log); }

 private:
  zmq::context_t ctx_;
  EventFeed feed_;  // before the log, which feeds it
  LogSink log_;
  std::unique_ptr<ZapHandler> zap_;                  // bound before the shells bind; outlives them
  std::vector<std::unique_ptr<ActorShell>> shells_;  // outlive the threads that host them
  std::vector<std::unique_ptr<ActorThread>> threads_;
  bool running_ = false;
};

}  // namespace bank
