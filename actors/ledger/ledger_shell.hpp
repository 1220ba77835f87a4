// LedgerShell: the ledger actor's thread; all its work is in LedgerCore, whose chain sits
// on the node's FileBlockStore: the core syncs it before a release or an answer leaves.
#pragma once

#include "actors/ledger/ledger_core.hpp"
#include "actors/shell/actor_shell.hpp"

namespace bank {

class LedgerShell : public ActorShell {
 public:
  LedgerShell(zmq::context_t& ctx, LogSink& log, LedgerCore core)
      : ActorShell(ctx, Actor::ledger, log, 1000), core_(std::move(core)) {}

 protected:
  void step(const BusMessage& in, Outbox& out) override { core_.step(in, out); }

 private:
  LedgerCore core_;
};

}  // namespace bank
