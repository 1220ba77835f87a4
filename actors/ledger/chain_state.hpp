// ChainState: what a chain's blocks add up to (height, head hash, balances) and every
// acceptance check of a next block: index, prev, hash, and funds. It keeps no blocks, so
// a million-block log can be verified in constant memory.
#pragma once

#include <cstdint>
#include <string>

#include "domain/balance_table.hpp"
#include "messages/block.hpp"

namespace bank {

class ChainState {
 public:
  explicit ChainState(const Block& genesis);  // precondition: a valid genesis

  // Error ids: ledger.index, ledger.prev, ledger.not_tx, ledger.hash, and the BalanceTable
  // ids for funds and accounts.
  Check check(const Block& block) const;
  Check append(const Block& block);  // check, then take it in

  std::uint64_t height() const { return height_; }
  const std::string& head() const { return head_; }
  const std::string& genesis_hash() const { return genesis_hash_; }
  const BalanceTable& table() const { return table_; }

 private:
  std::uint64_t height_ = 0;
  std::string head_;
  std::string genesis_hash_;
  BalanceTable table_;
};

}  // namespace bank
