// NodeCores: one node's four pure cores (network, mutex, ledger, bank), built the one way
// that bank-node and the simulation share, from the chain and txid memory a node restarts
// with. step() hands a bus message to the core it is addressed to.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "actors/bank/bank_core.hpp"
#include "actors/ledger/ledger_core.hpp"
#include "actors/mutex/mutex_core.hpp"
#include "actors/network/network_core.hpp"
#include "security/key_ring.hpp"
#include "security/signer.hpp"

namespace bank {

struct NodeSettings {
  NodeId self = 0;
  std::vector<NodeId> peers;
  std::uint64_t incarnation = 0;  // rises with every start of the node
  std::size_t batch = 0;          // ClusterConfig::batch
  BankOptions bank;
  LinkTimings timings;
  MutexCore::EntryRule entry_rule = &MutexCore::lamport_rule;
  // Security on: every node's public keys (the chain checks payers' signatures with them)
  // and this node's signing key. Both empty with security off.
  std::shared_ptr<const KeyRing> keys;
  std::optional<Signer> signer;
};

class NodeCores {
 public:
  // `chain` and `memory` are what the node's store held at start; `aborts` the aborted
  // transfers it recorded, which join the txid memory.
  NodeCores(const NodeSettings& settings, Chain chain, TxidMemory memory, const std::vector<AbortRecord>& aborts);

  void step(Actor to, const BusMessage& msg, Outbox& out);
  // The time of the steps that follow, for the cores that time things for their metrics.
  void set_now_us(std::int64_t now_us);

  NetworkCore network;
  MutexCore mutex;
  LedgerCore ledger;
  BankCore bank;
};

}  // namespace bank
