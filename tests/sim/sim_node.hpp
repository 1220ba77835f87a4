// SimNode: one bank node as its four composed cores (NodeCores, as bank-node builds them),
// restarted over a MemoryBlockStore. The simulation delivers each message between them as
// an event of its own, with a delay, so actors interleave as their threads do in a node.
#pragma once

#include <map>
#include <memory>

#include "actors/ledger/memory_block_store.hpp"
#include "node/node_cores.hpp"

namespace bank::sim {

class SimNode : public NodeCores {
 public:
  // A node (re)starting over `store`: its chain, balances and txid memory are what the
  // store holds, as a real node's are what its block log holds.
  SimNode(const NodeSettings& settings, const std::shared_ptr<MemoryBlockStore>& store);

  NodeId id() const { return id_; }
  std::uint64_t incarnation() const { return incarnation_; }

 private:
  NodeId id_;
  std::uint64_t incarnation_;
};

using SimNodes = std::map<NodeId, std::unique_ptr<SimNode>>;            // the running nodes
using SimStores = std::map<NodeId, std::shared_ptr<MemoryBlockStore>>;  // every node's "disk"

}  // namespace bank::sim
