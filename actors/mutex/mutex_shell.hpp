// MutexShell: the mutex actor's shell; all its work is in MutexCore.
#pragma once

#include "actors/mutex/mutex_core.hpp"
#include "runtime/actor_shell.hpp"

namespace bank {

class MutexShell : public ActorShell {
 public:
  // The mutex core's only timer spaces its lines about a peer's replaced requests
  // (MutexCore::kReplacedLogEveryMs): a slow tick does, and wakes it for next to nothing.
  static constexpr std::int64_t kTickMs = 1000;
  MutexShell(zmq::context_t& ctx, MutexCore core)
      : ActorShell(ctx, Actor::mutex, kTickMs), core_(std::move(core)) {}

 protected:
  void step(const BusMessage& in, Outbox& out) override { core_.step(in, out); }
  void set_now_us(std::int64_t now_us) override { core_.set_now_us(now_us); }

 private:
  MutexCore core_;
};

}  // namespace bank
