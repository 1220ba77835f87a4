// SimNode: what a restart loads from a memory store, handed to NodeCores.
#include "sim_node.hpp"

namespace bank::sim {

namespace {
// The chain state over the store's blocks, and the txids of all its blocks, as
// FileBlockStore::open gives them to bank-node.
struct Loaded {
  Chain chain;
  TxidMemory memory;
};

Loaded load(const std::shared_ptr<MemoryBlockStore>& store, std::shared_ptr<const KeyRing> keys) {
  auto blocks = store->read(0, UINT64_MAX);
  ChainState state(blocks.front(), std::move(keys));
  ChainState covered = state;
  TxidMemory memory;
  for (std::size_t i = 1; i < blocks.size(); ++i) {
    (void)state.append(blocks[i]);
    if (!state.covered()) continue;
    for (std::size_t k = covered.height() + 1; k <= i; ++k)
      memory.committed(blocks[k].tx->txid, blocks[k].index);
    covered = state;
  }
  // Unsigned blocks at the end (a batch the crash tore before its signed last block) are
  // cut, as FileBlockStore::open cuts them.
  store->truncate(covered.height() + 1);
  state = std::move(covered);
  return {Chain(std::move(state), store), std::move(memory)};
}

NodeCores make(const NodeSettings& settings, const std::shared_ptr<MemoryBlockStore>& store) {
  Loaded l = load(store, settings.keys);
  return NodeCores(settings, std::move(l.chain), std::move(l.memory), store->aborts());
}
}  // namespace

SimNode::SimNode(const NodeSettings& settings, const std::shared_ptr<MemoryBlockStore>& store)
    : NodeCores(make(settings, store)), id_(settings.self), incarnation_(settings.incarnation) {}

}  // namespace bank::sim
