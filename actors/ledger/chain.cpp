// Chain: appending through the checks into the store, and whole-chain verification.
#include "actors/ledger/chain.hpp"

#include <stdexcept>

#include "actors/ledger/block_hash.hpp"
#include "actors/ledger/memory_block_store.hpp"

namespace bank {

Block Chain::make_genesis(Balances opening) {
  Block g;
  g.index = 0;
  g.prev = zero_hash;
  g.genesis = std::move(opening);
  g.hash = block_hash(g);
  return g;
}

Chain::Chain(Block genesis, std::shared_ptr<const KeyRing> keys)
    : state_(genesis, std::move(keys)), store_(std::make_shared<MemoryBlockStore>(std::move(genesis))) {}

Chain::Chain(ChainState state, std::shared_ptr<BlockStore> store) : state_(std::move(state)), store_(std::move(store)) {}

Block Chain::block_after(std::uint64_t height, const std::string& head, Tx tx) {
  Block b;
  b.index = height + 1;
  b.prev = head;
  b.tx = std::move(tx);
  b.hash = block_hash(b);
  return b;
}

Check Chain::append(const Block& b) {
  if (auto e = state_.append(b)) return e;
  store_->append(b);
  return std::nullopt;
}

Check Chain::append_run(const std::vector<Block>& run, ChainState::Source source) {
  ChainState trial = state_;
  for (const Block& b : run)
    if (auto e = trial.append(b, source)) return e;
  if (!trial.covered())
    return make_error("ledger.unsigned", "block " + std::to_string(trial.height()) + " of payer " +
                                             std::to_string(run.back().tx->from) +
                                             " ends a run without its payer's signature");
  for (const Block& b : run) store_->append(b);
  state_ = std::move(trial);
  return std::nullopt;
}

Block Chain::at(std::uint64_t index) const {
  auto b = store_->read(index, 1);
  if (b.empty()) throw std::out_of_range("no block " + std::to_string(index));
  return b.front();
}

Result<std::uint64_t> Chain::verify(const std::vector<Block>& blocks, std::shared_ptr<const KeyRing> keys) {
  if (blocks.empty()) return make_error("ledger.empty", "the chain has no genesis block");
  const Block& g = blocks.front();
  if (g.index != 0 || g.prev != zero_hash || !g.genesis || g.tx || g.hash != block_hash(g))
    return make_error("ledger.genesis", "block 0 is not a valid genesis block");
  ChainState state(g, std::move(keys));
  for (std::size_t i = 1; i < blocks.size(); ++i)
    if (auto e = state.append(blocks[i])) return make_error(e->id, "block " + std::to_string(i) + ": " + e->message);
  if (!state.covered())
    return make_error("ledger.unsigned", "the chain ends with blocks from " + std::to_string(state.run_start()) +
                                             " that no signature of their payer covers");
  return state.height();
}

}  // namespace bank
