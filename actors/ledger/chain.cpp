// Chain: appending with every acceptance check, and whole-chain verification.
#include "actors/ledger/chain.hpp"

#include "actors/ledger/block_hash.hpp"

namespace bank {

Block Chain::make_genesis(Balances opening) {
  Block g;
  g.index = 0;
  g.prev = zero_hash;
  g.genesis = std::move(opening);
  g.hash = block_hash(g);
  return g;
}

Chain::Chain(Block genesis) : table_(*genesis.genesis) { blocks_.push_back(std::move(genesis)); }

Block Chain::next_block(Tx tx) const {
  Block b;
  b.index = blocks_.size();
  b.prev = head();
  b.tx = std::move(tx);
  b.hash = block_hash(b);
  return b;
}

Check Chain::check(const Block& b) const {
  if (b.index != blocks_.size())
    return make_error("ledger.index", "block " + std::to_string(b.index) + " does not follow height " +
                                          std::to_string(height()));
  if (b.prev != head()) return make_error("ledger.prev", "block " + std::to_string(b.index) + " does not link to the head");
  if (!b.tx || b.genesis)
    return make_error("ledger.not_tx", "block " + std::to_string(b.index) + " is not a single transfer");
  if (b.hash != block_hash(b)) return make_error("ledger.hash", "block " + std::to_string(b.index) + " has a wrong hash");
  return table_.check(*b.tx);
}

Check Chain::append(const Block& b) {
  if (auto e = check(b)) return e;
  table_.apply(*b.tx);
  blocks_.push_back(b);
  return std::nullopt;
}

Result<std::uint64_t> Chain::verify(const std::vector<Block>& blocks) {
  if (blocks.empty()) return make_error("ledger.empty", "the chain has no genesis block");
  const Block& g = blocks.front();
  if (g.index != 0 || g.prev != zero_hash || !g.genesis || g.tx || g.hash != block_hash(g))
    return make_error("ledger.genesis", "block 0 is not a valid genesis block");
  Chain chain(g);
  for (std::size_t i = 1; i < blocks.size(); ++i)
    if (auto e = chain.append(blocks[i])) return make_error(e->id, "block " + std::to_string(i) + ": " + e->message);
  return chain.height();
}

std::vector<Block> Chain::range(std::uint64_t from, std::uint64_t limit) const {
  std::vector<Block> out;
  for (std::uint64_t i = from; i < blocks_.size() && out.size() < limit; ++i) out.push_back(blocks_[i]);
  return out;
}

}  // namespace bank
