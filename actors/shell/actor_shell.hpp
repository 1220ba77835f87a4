// ActorShell: the thread around one pure core. It owns the core and an inproc PULL inbox,
// polls the inbox (and any sockets of its own) with zmq::poll, feeds what arrives into the
// core, and sends each output where it is addressed: to another actor's inbox, the log, or
// back to itself for the wire/console. Time reaches the core only as Tick{now}.
//
// Bus messages travel between threads as an owning pointer in one frame (zero copy, as
// czmq's zsock "p" picture does); a null pointer is $TERM: finish this step, exit the loop.
// Threading rule: a socket is used only by the thread that owns it once the thread runs.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "actors/shell/log_sink.hpp"
#include "messages/bus_message.hpp"

namespace bank {

class ActorShell {
 public:
  ActorShell(zmq::context_t& ctx, Actor self, LogSink& log, std::int64_t tick_ms);
  virtual ~ActorShell();
  ActorShell(const ActorShell&) = delete;
  ActorShell& operator=(const ActorShell&) = delete;

  void start();
  void join();
  // After join: free the messages still queued in the inbox.
  void drain();

  static std::string inbox_endpoint(Actor a);
  // Sends `msg` to actor `to` over `socket` (a PUSH connected to its inbox); null = $TERM.
  static void post(zmq::socket_t& socket, BusMessage* msg);
  // Binds, or throws std::runtime_error naming the endpoint, its role and why.
  static void bind_or_explain(zmq::socket_t& socket, const std::string& endpoint, const std::string& role);

 protected:
  virtual void step(const BusMessage& in, Outbox& out) = 0;
  // Outputs for the wire or the console, which only some shells own.
  virtual void deliver(Addressed&) {}
  // Sockets of the shell's own besides the inbox, and what to do when one is readable.
  virtual std::vector<zmq::pollitem_t> extra_items() { return {}; }
  virtual void on_ready(const std::vector<zmq::pollitem_t>&) {}
  // Runs the core on `in` and routes what it outputs.
  void feed(const BusMessage& in);
  std::int64_t now_ms() const;
  void write_log(const LogOut& e) { log_.write(e); }

  zmq::context_t& ctx_;
  Actor self_;

 private:
  void run();
  void route(Addressed& a);

  LogSink& log_;
  std::int64_t tick_ms_;
  zmq::socket_t inbox_;
  std::map<Actor, zmq::socket_t> outboxes_;
  std::thread thread_;
  std::chrono::steady_clock::time_point epoch_;
};

}  // namespace bank
