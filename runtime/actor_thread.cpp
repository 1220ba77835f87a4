// ActorThread: the poll loop, the in-thread queue, ticks, routing and $TERM.
#include "runtime/actor_thread.hpp"

#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

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

void post(zmq::socket_t& socket, Addressed* msg) {
  socket.send(zmq::const_buffer(&msg, sizeof msg), zmq::send_flags::none);
}

// One counter per context: the threads of one node count together.
std::shared_ptr<std::atomic<std::int64_t>> counter_for(zmq::context_t& ctx) {
  static std::mutex mu;
  static std::map<void*, std::weak_ptr<std::atomic<std::int64_t>>> counters;
  std::lock_guard lock(mu);
  auto& weak = counters[ctx.handle()];
  auto c = weak.lock();
  if (!c) {
    c = std::make_shared<std::atomic<std::int64_t>>(0);
    weak = c;
  }
  return c;
}

Addressed* take(const zmq::message_t& frame) {
  Addressed* raw = nullptr;
  if (frame.size() == sizeof raw) std::memcpy(&raw, frame.data(), sizeof raw);
  return raw;
}
}  // namespace

ActorThread::ActorThread(zmq::context_t& ctx, LogSink& log, std::vector<ActorShell*> shells)
    : ctx_(ctx), log_(log), shells_(std::move(shells)), inbox_(ctx, zmq::socket_type::pull) {
  inbox_.set(zmq::sockopt::rcvhwm, 0);
  for (ActorShell* s : shells_) {
    inbox_.bind(inbox_endpoint(s->actor()));
    s->attach(*this);
  }
  epoch_ = std::chrono::steady_clock::now();
  next_tick_.assign(shells_.size(), 0);
  in_flight_ = counter_for(ctx_);
}

std::int64_t ActorThread::in_flight(zmq::context_t& ctx) { return counter_for(ctx)->load(); }

ActorThread::~ActorThread() { join(); }

std::string ActorThread::inbox_endpoint(Actor a) { return std::string("inproc://actor-") + actor_name(a); }

// A step that throws (the disk failed under the block log, say) leaves a core in a state
// no one can vouch for: say so and end the process as a crash would. What is on disk was
// synced in order, so a restart recovers from it.
void ActorThread::start() {
  thread_ = std::thread([this] {
    // Named for `top -H` and perf: the hosted actors, "mutex+ledger" say.
    std::string name;
    for (ActorShell* s : shells_) name += (name.empty() ? "" : "+") + std::string(actor_name(s->actor()));
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
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

void ActorThread::join() {
  if (thread_.joinable()) thread_.join();
}

void ActorThread::terminate() {
  zmq::socket_t term(ctx_, zmq::socket_type::push);
  term.connect(inbox_endpoint(shells_.front()->actor()));
  post(term, nullptr);
}

std::int64_t ActorThread::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch_).count();
}

std::int64_t ActorThread::now_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - epoch_).count();
}

ActorShell* ActorThread::hosted(Actor a) {
  for (ActorShell* s : shells_)
    if (s->actor() == a) return s;
  return nullptr;
}

// Each step learns the time it runs at (a core times what it measures for its metrics on
// it, and reads no clock); timers still run on Tick.
void ActorThread::feed(ActorShell& shell, const BusMessage& in) {
  Outbox out;
  shell.set_now_us(now_us());
  shell.step(in, out);
  // In output order: a log line written here precedes any message that follows it
  // (cs_exit is on the log before the release leaves).
  for (auto& a : out) {
    if (a.to == shell.actor()) {
      later_.push_back(std::move(a));
      continue;
    }
    route(std::move(a));
  }
}

void ActorThread::route(Addressed&& a) {
  if (a.to == Actor::log) return log_.write(std::get<LogOut>(a.msg));
  // The wire belongs to the network actor, the console to the bank actor.
  Actor owner = a.to == Actor::wire ? Actor::network : a.to == Actor::console ? Actor::bank : a.to;
  if (ActorShell* s = hosted(owner)) {
    if (owner != a.to) return s->deliver(a);
    queues_[static_cast<std::size_t>(owner)].push_back(std::move(a));
    return;
  }
  auto it = outboxes_.find(owner);
  if (it == outboxes_.end()) {
    zmq::socket_t s(ctx_, zmq::socket_type::push);
    s.set(zmq::sockopt::sndhwm, 0);  // in-process: never drop, never block on a bound
    s.connect(inbox_endpoint(owner));
    it = outboxes_.emplace(owner, std::move(s)).first;
  }
  in_flight_->fetch_add(1, std::memory_order_relaxed);
  post(it->second, new Addressed(std::move(a)));
}

void ActorThread::run_queue() {
  for (;;) {
    auto q = std::find_if(queues_.begin(), queues_.end(), [](const auto& d) { return !d.empty(); });
    if (q == queues_.end()) return;
    Addressed a = std::move(q->front());
    q->pop_front();
    feed(*hosted(a.to), a.msg);
  }
}

// After $TERM: free what is still queued (the process is stopping; peers resend).
void ActorThread::drain() {
  zmq::message_t frame;
  while (inbox_.recv(frame, zmq::recv_flags::dontwait)) {
    Addressed* msg = take(frame);
    if (msg) in_flight_->fetch_sub(1, std::memory_order_relaxed);
    delete msg;
  }
}

void ActorThread::run() {
  for (std::size_t i = 0; i < shells_.size(); ++i) next_tick_[i] = now_ms();
  for (;;) {
    std::vector<zmq::pollitem_t> items{{inbox_.handle(), 0, ZMQ_POLLIN, 0}};
    std::vector<std::size_t> firsts;  // where each shell's own items begin
    for (ActorShell* s : shells_) {
      firsts.push_back(items.size());
      auto extra = s->extra_items();
      items.insert(items.end(), extra.begin(), extra.end());
    }
    std::int64_t next = *std::min_element(next_tick_.begin(), next_tick_.end());
    auto wait = later_.empty() ? std::max<std::int64_t>(0, next - now_ms()) : 0;
    // Too much waiting between threads: leave the outside sockets unread for now.
    const bool congested = in_flight_->load(std::memory_order_relaxed) > kMaxInFlight;
    if (congested) {
      items.resize(1);
      wait = std::min(wait, kCongestedPollMs);
    }
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(wait));
    if (items[0].revents & ZMQ_POLLIN) {
      // Drain the inbox: each frame is one owned message, or $TERM.
      zmq::message_t frame;
      while (inbox_.recv(frame, zmq::recv_flags::dontwait)) {
        std::unique_ptr<Addressed> msg(take(frame));
        if (!msg) {
          run_queue();
          for (ActorShell* s : shells_) s->on_stop();
          log_.flush();
          return drain();
        }
        in_flight_->fetch_sub(1, std::memory_order_relaxed);
        route(std::move(*msg));
      }
      run_queue();
    }
    for (std::size_t i = 0; i < shells_.size() && !congested; ++i) {
      std::size_t end = i + 1 < shells_.size() ? firsts[i + 1] : items.size();
      if (firsts[i] == end) continue;
      shells_[i]->on_ready(std::vector<zmq::pollitem_t>(items.begin() + firsts[i], items.begin() + end));
      run_queue();
    }
    std::int64_t now = now_ms();
    for (std::size_t i = 0; i < shells_.size(); ++i) {
      if (now < next_tick_[i]) continue;
      next_tick_[i] = now + shells_[i]->tick_ms();
      feed(*shells_[i], Tick{now});
      run_queue();
    }
    // What actors sent themselves, once the sockets have had their turn.
    std::deque<Addressed> later;
    later.swap(later_);
    for (auto& a : later) route(std::move(a));
    run_queue();
    log_.flush();  // what this wake-up logged, before we wait again
  }
}

}  // namespace bank
