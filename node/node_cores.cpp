// NodeCores: building the four cores from what a node restarts with, and stepping them.
#include "node/node_cores.hpp"

namespace bank {

namespace {
TxidMemory with_aborts(TxidMemory memory, const std::vector<AbortRecord>& aborts) {
  for (const AbortRecord& a : aborts) memory.aborted(a.txid, a.reason);
  return memory;
}
}  // namespace

NodeCores::NodeCores(const NodeSettings& s, Chain chain, TxidMemory memory, const std::vector<AbortRecord>& aborts)
    : network(s.self, s.peers, s.incarnation, chain.genesis_hash(), s.timings),
      mutex(s.self, s.peers, s.entry_rule),
      ledger(s.self, std::move(chain), s.batch, s.signer),
      bank(s.self, ledger.chain().table().balances(), s.bank, with_aborts(std::move(memory), aborts)) {
  network.set_height(ledger.chain().height(), ledger.chain().head());
}

void NodeCores::set_now_us(std::int64_t now_us) {
  network.set_now_us(now_us);
  mutex.set_now_us(now_us);
  bank.set_now_us(now_us);
}

void NodeCores::step(Actor to, const BusMessage& msg, Outbox& out) {
  switch (to) {
    case Actor::network: network.step(msg, out); break;
    case Actor::mutex: mutex.step(msg, out); break;
    case Actor::ledger: ledger.step(msg, out); break;
    case Actor::bank: bank.step(msg, out); break;
    default: break;
  }
}

}  // namespace bank
