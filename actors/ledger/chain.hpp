// Chain: the hash-chained ledger: its state (ChainState: height, head, balances, the
// acceptance checks) over a BlockStore that holds the blocks themselves. Built from a
// genesis alone it keeps its blocks in memory; a node builds it over its durable log.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/ledger/block_store.hpp"
#include "actors/ledger/chain_state.hpp"
#include "messages/block.hpp"
#include "messages/result.hpp"

namespace bank {

class Chain {
 public:
  static Block make_genesis(Balances opening);
  // Precondition: a valid genesis (make_genesis or verified). With keys, blocks must carry
  // their payers' signatures (ChainState).
  explicit Chain(Block genesis, std::shared_ptr<const KeyRing> keys = nullptr);
  // Over a store already holding the blocks that `state` adds up (verified on load).
  Chain(ChainState state, std::shared_ptr<BlockStore> store);

  // A new block for `tx` on top of the head: index, prev and hash filled in.
  Block next_block(Tx tx) const { return block_on(state_, std::move(tx)); }
  // The same on top of any state (a trial copy of ours).
  static Block block_on(const ChainState& state, Tx tx) { return block_after(state.height(), state.head(), std::move(tx)); }
  // The same after block `height` whose hash is `head`.
  static Block block_after(std::uint64_t height, const std::string& head, Tx tx);
  Check check(const Block& block) const { return state_.check(block); }
  // Every check, then append to the store (durable after sync()).
  Check append(const Block& block);
  // All of `run` or nothing: every block checked in turn, and the last must leave no
  // unsigned run open (ledger.unsigned); only then are they appended to the store. `own`:
  // this node's batch, hashed and signed here (ChainState::Source).
  Check append_run(const std::vector<Block>& run, ChainState::Source source = ChainState::Source::checked);
  // How long the disk took, when it had to sync (BlockStore::sync).
  std::optional<std::int64_t> sync() { return store_->sync(); }

  // Re-checks a whole chain from genesis: its height (last index) or the first error,
  // naming the block.
  static Result<std::uint64_t> verify(const std::vector<Block>& blocks,
                                      std::shared_ptr<const KeyRing> keys = nullptr);

  std::uint64_t height() const { return state_.height(); }
  const std::string& head() const { return state_.head(); }
  const std::string& genesis_hash() const { return state_.genesis_hash(); }
  const BalanceTable& table() const { return state_.table(); }
  const ChainState& state() const { return state_; }
  bool signed_blocks() const { return state_.keys() != nullptr; }
  Block at(std::uint64_t index) const;
  std::vector<Block> range(std::uint64_t from, std::uint64_t limit) const { return store_->read(from, limit); }
  BlockStore& store() { return *store_; }

 private:
  ChainState state_;
  std::shared_ptr<BlockStore> store_;
};

}  // namespace bank
