// ActorThread: one thread hosting one or more actor shells. It binds an inproc PULL inbox
// to each hosted actor's endpoint, polls it with the hosted actors' own sockets (zmq::poll),
// feeds each core what is addressed to it, and routes every output: to a hosted actor
// through an in-thread queue, to another thread's actor over inproc, to the log, or to the
// shell that owns the wire or the console. Time reaches each core only as Tick{now}.
//
// Which actors share a thread is the node's choice (Node); the cores cannot tell. Between
// any two actors messages keep the order they were sent in, as on a pipe: one inproc pipe
// per (thread, destination), and one FIFO queue per hosted actor inside the thread. The
// queues are emptied before the thread polls again, so a grant, the blocks it appends and
// the release they leave with are handled in one wake-up. A message an actor sends itself
// waits for the next wake-up, after a poll that does not wait. The actor nearest the wire is
// served first (network, mutex, ledger, bank): a release leaves before the clients whose
// blocks it carries are answered, since the next holder waits for it.
//
// Bus messages cross threads as an owning pointer to an Addressed in one frame (zero copy,
// as czmq's zsock "p" picture does); a null pointer is $TERM: finish this step, exit.
// Threading rule: a socket is used only by the thread that owns it once the thread runs.
//
// Bounded: messages between threads wait in inproc pipes that cannot refuse (a full pipe
// would block a thread that its receiver may be waiting on). Instead every actor thread of
// one context (one node) counts what it has posted and not yet been taken; while more than
// kMaxInFlight wait, no thread reads its outside sockets (peers, consoles): each keeps
// serving its inbox and ticks until the others catch up. What waits is then pushed back
// to the senders: ZeroMQ's own bounded queues fill, and TCP stops them.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "runtime/actor_shell.hpp"
#include "runtime/log_sink.hpp"

namespace bank {

class ActorThread final : public ActorHost {
 public:
  // Binds the inbox endpoints of `shells` (which outlive the thread) now.
  ActorThread(zmq::context_t& ctx, LogSink& log, std::vector<ActorShell*> shells);
  ~ActorThread() override;
  ActorThread(const ActorThread&) = delete;
  ActorThread& operator=(const ActorThread&) = delete;

  void start();
  void join();
  // After join: free the messages still queued in the inbox.
  void drain();
  // Sends $TERM to this thread.
  void terminate();

  static std::string inbox_endpoint(Actor a);

  // Messages posted between threads and not yet taken, at most, before outside sockets
  // wait: far above a healthy node's handful, about 50 MB of the largest messages.
  static constexpr std::int64_t kMaxInFlight = 50000;
  // How often a thread whose outside sockets wait looks again.
  static constexpr std::int64_t kCongestedPollMs = 1;
  // Messages posted between the actor threads on `ctx` and not yet taken.
  static std::int64_t in_flight(zmq::context_t& ctx);

 private:
  void feed(ActorShell& shell, const BusMessage& in) override;
  void write_log(const LogOut& e) override { log_.write(e); }
  void run();
  void route(Addressed&& a);
  void run_queue();
  ActorShell* hosted(Actor a);
  std::int64_t now_ms() const;
  std::int64_t now_us() const;

  zmq::context_t& ctx_;
  LogSink& log_;
  std::vector<ActorShell*> shells_;
  std::vector<std::int64_t> next_tick_;  // per hosted shell
  zmq::socket_t inbox_;
  std::map<Actor, zmq::socket_t> outboxes_;
  // For the actors on this thread, indexed by Actor (network first), each in the order sent.
  std::array<std::deque<Addressed>, 4> queues_;
  // Messages an actor sent itself: a step to continue later (a long verify's next slice).
  // They wait until the thread has polled its sockets again, so other work comes between.
  std::deque<Addressed> later_;
  std::thread thread_;
  std::chrono::steady_clock::time_point epoch_;
  std::shared_ptr<std::atomic<std::int64_t>> in_flight_;  // shared by the threads of ctx_
};

}  // namespace bank
