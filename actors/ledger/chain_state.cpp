// ChainState: the acceptance checks and the running totals of a chain.
#include "actors/ledger/chain_state.hpp"

#include "actors/ledger/block_hash.hpp"

namespace bank {

ChainState::ChainState(const Block& genesis, std::shared_ptr<const KeyRing> keys)
    : head_(genesis.hash), genesis_hash_(genesis.hash), table_(*genesis.genesis), keys_(std::move(keys)) {}

Check ChainState::check(const Block& b, Source source) const {
  if (b.index != height_ + 1)
    return make_error("ledger.index", "block " + std::to_string(b.index) + " does not follow height " +
                                          std::to_string(height_));
  if (b.prev != head_) return make_error("ledger.prev", "block " + std::to_string(b.index) + " does not link to the head");
  if (!b.tx || b.genesis)
    return make_error("ledger.not_tx", "block " + std::to_string(b.index) + " is not a single transfer");
  const bool own = source == Source::own;
  if (!own && b.hash != block_hash(b)) return make_error("ledger.hash", "block " + std::to_string(b.index) + " has a wrong hash");
  if (keys_) {
    if (open_run_ != 0 && open_run_ != b.tx->from)
      return make_error("ledger.unsigned", "block " + std::to_string(b.index - 1) + " of payer " +
                                               std::to_string(open_run_) + " is not covered by a signature of its payer");
    if (!b.sig.empty() && !own && !sink_ && !keys_->signed_by(b.tx->from, b.hash, b.sig))
      return make_error("ledger.signature", "block " + std::to_string(b.index) +
                                                " carries a signature that is not its payer's (node " +
                                                std::to_string(b.tx->from) + ")");
  }
  return table_.check(*b.tx);
}

Check ChainState::append(const Block& b, Source source) {
  if (auto e = check(b, source)) return e;
  table_.apply(*b.tx);
  ++height_;
  head_ = b.hash;
  if (keys_) {
    if (sink_ && !b.sig.empty()) sink_(SignedBlock{b.index, b.tx->from, b.hash, b.sig});
    if (open_run_ == 0) run_start_ = height_;
    open_run_ = b.sig.empty() ? b.tx->from : 0;
    if (open_run_ == 0) run_start_ = height_ + 1;
  } else {
    run_start_ = height_ + 1;
  }
  return std::nullopt;
}

}  // namespace bank
