// SimNode: one bank node as its four composed cores (network, mutex, ledger, bank). The
// simulation delivers each message between them as an event of its own, with a delay, so
// actors interleave as their threads do in a real node.
#pragma once

#include "actors/bank/bank_core.hpp"
#include "actors/ledger/ledger_core.hpp"
#include "actors/ledger/memory_block_store.hpp"
#include "actors/mutex/mutex_core.hpp"
#include "actors/network/network_core.hpp"

namespace bank::sim {

class SimNode {
 public:
  // A node (re)starting over `store`: its chain, balances and txid memory are what the
  // store holds, as a real node's are what its block log holds.
  SimNode(NodeId id, const std::vector<NodeId>& all, std::shared_ptr<MemoryBlockStore> store, std::uint64_t incarnation,
          MutexCore::EntryRule rule, BankOptions bank_options, std::size_t batch, LinkTimings timings);

  // One step of actor `to` on `msg`; its outputs, for other actors or leaving the node.
  void step(Actor to, const BusMessage& msg, Outbox& out);

  NodeId id() const { return id_; }
  std::uint64_t incarnation() const { return incarnation_; }
  NetworkCore network;
  MutexCore mutex;
  LedgerCore ledger;
  BankCore bank;

 private:
  NodeId id_;
  std::uint64_t incarnation_;
};

}  // namespace bank::sim
