// ActorShell: the poll loop, ticks, routing and $TERM.
#include "actors/shell/actor_shell.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace bank {

namespace {
const char* actor_name(Actor a) {
  switch (a) {
    case Actor::network: return "network";
    case Actor::mutex: return "mutex";
    case Actor::ledger: return "ledger";
    case Actor::bank: return "bank";
    case Actor::wire: return "wire";
    case Actor::console: return "console";
    case Actor::log: return "log";
  }
  return "unknown";
}
}  // namespace

ActorShell::ActorShell(zmq::context_t& ctx, Actor self, LogSink& log, std::int64_t tick_ms)
    : ctx_(ctx), self_(self), log_(log), tick_ms_(tick_ms), inbox_(ctx, zmq::socket_type::pull) {
  inbox_.set(zmq::sockopt::rcvhwm, 0);
  inbox_.bind(inbox_endpoint(self));
  epoch_ = std::chrono::steady_clock::now();
}

ActorShell::~ActorShell() { join(); }

std::string ActorShell::inbox_endpoint(Actor a) { return std::string("inproc://actor-") + actor_name(a); }

void ActorShell::post(zmq::socket_t& socket, BusMessage* msg) {
  socket.send(zmq::const_buffer(&msg, sizeof msg), zmq::send_flags::none);
}

void ActorShell::bind_or_explain(zmq::socket_t& socket, const std::string& endpoint, const std::string& role) {
  try {
    socket.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot listen on " + endpoint + " (" + role + "): " + e.what());
  }
}

// A step that throws (the disk failed under the block log, say) leaves the core in a state
// no one can vouch for: say so and end the process as a crash would. What is on disk was
// synced in order, so a restart recovers from it.
void ActorShell::start() {
  thread_ = std::thread([this] {
    try {
      run();
    } catch (const std::exception& e) {
      log_.write(LogOut{"error", 0, {{"error", std::string("fatal: ") + e.what()}}});
      log_.flush();
      std::fprintf(stderr, "bank-node: fatal: %s\n", e.what());
      std::_Exit(1);
    }
  });
}

void ActorShell::join() {
  if (thread_.joinable()) thread_.join();
}

std::int64_t ActorShell::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch_).count();
}

void ActorShell::feed(const BusMessage& in) {
  Outbox out;
  step(in, out);
  // In output order: a log line written here precedes any message that follows it
  // (cs_exit is on the log before the release leaves).
  for (auto& a : out) route(a);
}

void ActorShell::route(Addressed& a) {
  switch (a.to) {
    case Actor::log:
      log_.write(std::get<LogOut>(a.msg));
      return;
    case Actor::wire:
      deliver(a);
      return;
    case Actor::console:
      if (self_ == Actor::bank) return deliver(a);
      a.to = Actor::bank;  // the bank shell owns the console socket
      [[fallthrough]];
    default: {
      if (a.to == self_) {
        feed(a.msg);
        return;
      }
      auto it = outboxes_.find(a.to);
      if (it == outboxes_.end()) {
        zmq::socket_t s(ctx_, zmq::socket_type::push);
        s.set(zmq::sockopt::sndhwm, 0);  // in-process: never drop, never block on a bound
        s.connect(inbox_endpoint(a.to));
        it = outboxes_.emplace(a.to, std::move(s)).first;
      }
      post(it->second, new BusMessage(std::move(a.msg)));
    }
  }
}

// After $TERM: free what is still queued (the process is stopping; peers resend).
void ActorShell::drain() {
  zmq::message_t frame;
  while (inbox_.recv(frame, zmq::recv_flags::dontwait)) {
    BusMessage* raw = nullptr;
    if (frame.size() == sizeof raw) std::memcpy(&raw, frame.data(), sizeof raw);
    delete raw;
  }
}

void ActorShell::run() {
  std::int64_t next_tick = now_ms();
  for (;;) {
    auto extra = extra_items();
    std::vector<zmq::pollitem_t> items{{inbox_.handle(), 0, ZMQ_POLLIN, 0}};
    items.insert(items.end(), extra.begin(), extra.end());
    auto wait = std::max<std::int64_t>(0, next_tick - now_ms());
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(wait));
    if (items[0].revents & ZMQ_POLLIN) {
      // Drain the inbox: each frame is one owned BusMessage, or $TERM.
      zmq::message_t frame;
      while (inbox_.recv(frame, zmq::recv_flags::dontwait)) {
        BusMessage* raw = nullptr;
        if (frame.size() == sizeof raw) std::memcpy(&raw, frame.data(), sizeof raw);
        std::unique_ptr<BusMessage> msg(raw);
        if (!msg) {
          log_.flush();
          return drain();
        }
        if (auto* c = std::get_if<ConsoleOut>(msg.get()); c && self_ == Actor::bank) {
          Addressed a{Actor::console, std::move(*msg)};
          deliver(a);
        } else {
          feed(*msg);
        }
      }
    }
    if (items.size() > 1) {
      std::vector<zmq::pollitem_t> rest(items.begin() + 1, items.end());
      on_ready(rest);
    }
    if (now_ms() >= next_tick) {
      next_tick = now_ms() + tick_ms_;
      feed(Tick{now_ms()});
    }
    log_.flush();  // what this wake-up logged, before we wait again
  }
}

}  // namespace bank
