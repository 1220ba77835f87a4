// LedgerShell: the ledger actor's shell; all its work is in LedgerCore, whose chain sits
// on the node's FileBlockStore: the core syncs it before a release or an answer leaves.
#pragma once

#include "actors/ledger/ledger_core.hpp"
#include "runtime/actor_shell.hpp"

namespace bank {

class LedgerShell : public ActorShell {
 public:
  // How often the core hears the time: it promotes catch-up hints (so a block behind a hint
  // is fetched within two ticks) and syncs peers' blocks.
  static constexpr std::int64_t kTickMs = 50;
  LedgerShell(zmq::context_t& ctx, LedgerCore core)
      : ActorShell(ctx, Actor::ledger, kTickMs), core_(std::move(core)) {}

 protected:
  void step(const BusMessage& in, Outbox& out) override { core_.step(in, out); }

 private:
  LedgerCore core_;
};

}  // namespace bank
