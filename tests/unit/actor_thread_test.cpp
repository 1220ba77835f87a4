// ActorThread: messages between actors keep their order, inside one thread and across
// threads; inside one thread the actor nearest the wire is served first; $TERM ends it.
#include "runtime/actor_thread.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

using namespace bank;

namespace {

// What the test shells received, across threads, in the order they received it.
class Journal {
 public:
  void add(Actor a, std::uint64_t v) {
    std::lock_guard lock(mu_);
    seen_.emplace_back(a, v);
    cv_.notify_all();
  }
  // The entries once there are `n`, or what there is after a bounded wait.
  std::vector<std::pair<Actor, std::uint64_t>> wait_for(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return seen_.size() >= n; });
    return seen_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<Actor, std::uint64_t>> seen_;
};

// On its first tick, sends the scripted messages; records every LocalHeight it is sent.
class ScriptShell : public ActorShell {
 public:
  ScriptShell(zmq::context_t& ctx, Actor self, Journal& journal, std::vector<std::pair<Actor, std::uint64_t>> script)
      : ActorShell(ctx, self, 1000), journal_(journal), script_(std::move(script)) {}
  void step(const BusMessage& in, Outbox& out) override {
    if (auto* h = std::get_if<LocalHeight>(&in)) journal_.add(actor(), h->height);
    if (std::holds_alternative<Tick>(in) && !sent_) {
      sent_ = true;
      for (auto [to, v] : script_) out.push_back({to, LocalHeight{v}});
    }
  }

 private:
  Journal& journal_;
  std::vector<std::pair<Actor, std::uint64_t>> script_;
  bool sent_ = false;
};

struct Rig {
  zmq::context_t ctx{1};
  std::FILE* log_file = std::tmpfile();
  LogSink log{log_file, 1};
  Journal journal;
};

}  // namespace

TEST_CASE("actor thread: messages to an actor on another thread arrive in the order sent") {
  Rig rig;
  std::vector<std::pair<Actor, std::uint64_t>> script;
  for (std::uint64_t v = 1; v <= 2000; ++v) script.emplace_back(Actor::ledger, v);
  ScriptShell sender(rig.ctx, Actor::mutex, rig.journal, script);
  ScriptShell receiver(rig.ctx, Actor::ledger, rig.journal, {});
  ActorThread a(rig.ctx, rig.log, {&sender});
  ActorThread b(rig.ctx, rig.log, {&receiver});
  b.start();
  a.start();
  auto seen = rig.journal.wait_for(2000);
  a.terminate();
  b.terminate();
  a.join();
  b.join();
  REQUIRE(seen.size() == 2000);
  for (std::uint64_t i = 0; i < seen.size(); ++i) {
    CHECK(seen[i].first == Actor::ledger);
    CHECK(seen[i].second == i + 1);
  }
}

TEST_CASE("actor thread: on one thread the actor nearest the wire is served first, each in the order sent") {
  Rig rig;
  ScriptShell ledger(rig.ctx, Actor::ledger, rig.journal,
                     {{Actor::bank, 1}, {Actor::mutex, 2}, {Actor::network, 3}, {Actor::bank, 4}, {Actor::mutex, 5}});
  ScriptShell network(rig.ctx, Actor::network, rig.journal, {});
  ScriptShell mutex(rig.ctx, Actor::mutex, rig.journal, {});
  ScriptShell bank(rig.ctx, Actor::bank, rig.journal, {});
  ActorThread t(rig.ctx, rig.log, {&bank, &ledger, &mutex, &network});
  t.start();
  auto seen = rig.journal.wait_for(5);
  t.terminate();
  t.join();
  std::vector<std::pair<Actor, std::uint64_t>> want{
      {Actor::network, 3}, {Actor::mutex, 2}, {Actor::mutex, 5}, {Actor::bank, 1}, {Actor::bank, 4}};
  CHECK(seen == want);
}

TEST_CASE("actor thread: a message an actor sends itself waits while what others sent goes first") {
  Rig rig;
  // On its tick the mutex sends itself 1 and the ledger 100; the ledger answers 200. The
  // mutex comes before the ledger in the thread, yet its note to itself waits for the next
  // wake-up: 100, then 200, then 1.
  ScriptShell mutex(rig.ctx, Actor::mutex, rig.journal, {{Actor::mutex, 1}, {Actor::ledger, 100}});
  class Echo : public ScriptShell {
   public:
    using ScriptShell::ScriptShell;
    void step(const BusMessage& in, Outbox& out) override {
      ScriptShell::step(in, out);
      if (auto* h = std::get_if<LocalHeight>(&in)) out.push_back({Actor::mutex, LocalHeight{h->height * 2}});
    }
  } ledger(rig.ctx, Actor::ledger, rig.journal, {});
  ActorThread t(rig.ctx, rig.log, {&mutex, &ledger});
  t.start();
  auto seen = rig.journal.wait_for(3);
  t.terminate();
  t.join();
  std::vector<std::pair<Actor, std::uint64_t>> want{{Actor::ledger, 100}, {Actor::mutex, 200}, {Actor::mutex, 1}};
  CHECK(seen == want);
}

TEST_CASE("actor thread: messages between threads are counted until taken, for the bound on outside input") {
  Rig rig;
  std::vector<std::pair<Actor, std::uint64_t>> script;
  for (std::uint64_t v = 1; v <= 300; ++v) script.emplace_back(Actor::ledger, v);
  ScriptShell sender(rig.ctx, Actor::mutex, rig.journal, script);
  ScriptShell receiver(rig.ctx, Actor::ledger, rig.journal, {});
  ActorThread a(rig.ctx, rig.log, {&sender});
  ActorThread b(rig.ctx, rig.log, {&receiver});
  CHECK(ActorThread::in_flight(rig.ctx) == 0);
  a.start();
  // The receiver's thread is not running: all 300 wait, counted (a bounded wait for the sender).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ActorThread::in_flight(rig.ctx) < 300 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  CHECK(ActorThread::in_flight(rig.ctx) == 300);
  b.start();
  CHECK(rig.journal.wait_for(300).size() == 300);
  a.terminate();
  b.terminate();
  a.join();
  b.join();
  CHECK(ActorThread::in_flight(rig.ctx) == 0);
  // Another context (another node) counts apart.
  zmq::context_t other(1);
  CHECK(ActorThread::in_flight(other) == 0);
}
