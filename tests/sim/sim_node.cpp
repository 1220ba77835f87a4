// SimNode: the composed cores and their bus.
#include "sim_node.hpp"

namespace bank::sim {

namespace {
std::vector<NodeId> others(const std::vector<NodeId>& all, NodeId self) {
  std::vector<NodeId> out;
  for (NodeId n : all)
    if (n != self) out.push_back(n);
  return out;
}
}  // namespace

SimNode::SimNode(NodeId id, const std::vector<NodeId>& all, const Block& genesis, std::uint64_t incarnation,
                 MutexCore::EntryRule rule, BankOptions bank_options, LinkTimings timings)
    : network(id, others(all, id), incarnation, genesis.hash, timings),
      mutex(id, others(all, id), rule),
      ledger(id, Chain(genesis)),
      bank(id, *genesis.genesis, bank_options),
      id_(id) {}

void SimNode::step(Actor to, const BusMessage& msg, Outbox& out) {
  switch (to) {
    case Actor::network: network.step(msg, out); break;
    case Actor::mutex: mutex.step(msg, out); break;
    case Actor::ledger: ledger.step(msg, out); break;
    case Actor::bank: bank.step(msg, out); break;
    default: break;
  }
}

}  // namespace bank::sim
