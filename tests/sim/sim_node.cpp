// SimNode: what a restart loads from a memory store, handed to NodeCores.
#include "sim_node.hpp"

namespace bank::sim {

namespace {
// The chain state over the store's blocks, and the txids of the node's own blocks, as
// FileBlockStore::open gives them to bank-node.
struct Loaded {
  Chain chain;
  TxidMemory memory;
};

Loaded load(NodeId self, const std::shared_ptr<MemoryBlockStore>& store) {
  auto blocks = store->read(0, UINT64_MAX);
  ChainState state(blocks.front());
  TxidMemory memory;
  for (std::size_t i = 1; i < blocks.size(); ++i) {
    (void)state.append(blocks[i]);
    if (blocks[i].tx->from == self) memory.committed(blocks[i].tx->txid, blocks[i].index);
  }
  return {Chain(std::move(state), store), std::move(memory)};
}

NodeCores make(const NodeSettings& settings, const std::shared_ptr<MemoryBlockStore>& store) {
  Loaded l = load(settings.self, store);
  return NodeCores(settings, std::move(l.chain), std::move(l.memory), store->aborts());
}
}  // namespace

SimNode::SimNode(const NodeSettings& settings, const std::shared_ptr<MemoryBlockStore>& store)
    : NodeCores(make(settings, store)), id_(settings.self), incarnation_(settings.incarnation) {}

}  // namespace bank::sim
