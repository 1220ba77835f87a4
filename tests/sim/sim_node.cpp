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

// What a restart loads: the chain state over the store's blocks, and the txids decided.
Chain load_chain(const std::shared_ptr<MemoryBlockStore>& store) {
  auto blocks = store->read(0, UINT64_MAX);
  ChainState state(blocks.front());
  for (std::size_t i = 1; i < blocks.size(); ++i) (void)state.append(blocks[i]);
  return Chain(std::move(state), store);
}

TxidMemory load_memory(NodeId id, const std::shared_ptr<MemoryBlockStore>& store) {
  TxidMemory memory;
  for (const Block& b : store->read(1, UINT64_MAX))
    if (b.tx->from == id) memory.committed(b.tx->txid, b.index);
  for (const AbortRecord& a : store->aborts()) memory.aborted(a.txid, a.reason);
  return memory;
}

}  // namespace

SimNode::SimNode(NodeId id, const std::vector<NodeId>& all, std::shared_ptr<MemoryBlockStore> store,
                 std::uint64_t incarnation, MutexCore::EntryRule rule, BankOptions bank_options, std::size_t batch, LinkTimings timings)
    : network(id, others(all, id), incarnation, store->read(0, 1).front().hash, timings),
      mutex(id, others(all, id), rule),
      ledger(id, load_chain(store), batch),
      bank(id, ledger.chain().table().balances(), bank_options, load_memory(id, store)),
      id_(id),
      incarnation_(incarnation) {
  network.set_height(ledger.chain().height());
}

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
