// ChainState: the acceptance checks and the running totals of a chain.
#include "actors/ledger/chain_state.hpp"

#include "actors/ledger/block_hash.hpp"

namespace bank {

ChainState::ChainState(const Block& genesis)
    : head_(genesis.hash), genesis_hash_(genesis.hash), table_(*genesis.genesis) {}

Check ChainState::check(const Block& b) const {
  if (b.index != height_ + 1)
    return make_error("ledger.index", "block " + std::to_string(b.index) + " does not follow height " +
                                          std::to_string(height_));
  if (b.prev != head_) return make_error("ledger.prev", "block " + std::to_string(b.index) + " does not link to the head");
  if (!b.tx || b.genesis)
    return make_error("ledger.not_tx", "block " + std::to_string(b.index) + " is not a single transfer");
  if (b.hash != block_hash(b)) return make_error("ledger.hash", "block " + std::to_string(b.index) + " has a wrong hash");
  return table_.check(*b.tx);
}

Check ChainState::append(const Block& b) {
  if (auto e = check(b)) return e;
  table_.apply(*b.tx);
  ++height_;
  head_ = b.hash;
  return std::nullopt;
}

}  // namespace bank
