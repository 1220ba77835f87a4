// ActorShell: the thin adapter around one pure core. It steps the core, owns the sockets
// only this actor uses (the network's peer sockets, the bank's console), and delivers the
// outputs addressed to them. It owns no thread: an ActorThread hosts it, polls its sockets,
// feeds it what arrives, routes its outputs and gives it Tick{now} every tick_ms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "runtime/actor_host.hpp"

namespace bank {

class ActorShell {
 public:
  ActorShell(zmq::context_t& ctx, Actor self, std::int64_t tick_ms) : ctx_(ctx), self_(self), tick_ms_(tick_ms) {}
  virtual ~ActorShell() = default;
  ActorShell(const ActorShell&) = delete;
  ActorShell& operator=(const ActorShell&) = delete;

  Actor actor() const { return self_; }
  std::int64_t tick_ms() const { return tick_ms_; }

  // Runs the core on one input; the hosting thread routes the outputs.
  virtual void step(const BusMessage& in, Outbox& out) = 0;
  // The host's time for the step that follows, in microseconds on the clock Tick counts in
  // milliseconds; a shell whose core times something for its metrics passes it on.
  virtual void set_now_us(std::int64_t) {}
  // Outputs for the wire or the console, which only the network and the bank own.
  virtual void deliver(Addressed&) {}
  // Sockets of the actor's own, and what to do when one is readable (or writable).
  virtual std::vector<zmq::pollitem_t> extra_items() { return {}; }
  virtual void on_ready(const std::vector<zmq::pollitem_t>&) {}
  // The node is stopping ($TERM): last words on the actor's own sockets, if it has any.
  virtual void on_stop() {}

  // Called once by the host that takes this shell in, before anything is fed.
  void attach(ActorHost& host) { host_ = &host; }

  // Binds, or throws std::runtime_error naming the endpoint, its role and why.
  static void bind_or_explain(zmq::socket_t& socket, const std::string& endpoint, const std::string& role);
  // Throws what bind_or_explain would when host:port is taken, before anything is built:
  // a node checks its ports before it touches its data folder (a refused start changes
  // nothing on disk). A host it cannot resolve passes: the bind itself explains it.
  static void check_port_free(const std::string& host, int port, const std::string& role);

 protected:
  // From on_ready: hands what a socket brought to the core, and its outputs to the thread.
  void feed(const BusMessage& in);
  void write_log(const LogOut& e);

  zmq::context_t& ctx_;
  Actor self_;

 private:
  std::int64_t tick_ms_;
  ActorHost* host_ = nullptr;  // set by attach()
};

}  // namespace bank
