// Chain: the hash-chained ledger in memory with its balance table, and every acceptance
// check of a block (index, prev, hash, funds). Verifying a whole chain replays it here.
#pragma once

#include <cstdint>
#include <vector>

#include "actors/bank/balance_table.hpp"
#include "messages/block.hpp"
#include "messages/result.hpp"

namespace bank {

class Chain {
 public:
  static Block make_genesis(Balances opening);
  explicit Chain(Block genesis);  // precondition: a valid genesis (make_genesis or verified)

  // A new block for `tx` on top of the head: index, prev and hash filled in.
  Block next_block(Tx tx) const;
  // Every check, then append. Error ids: ledger.index, ledger.prev, ledger.hash,
  // ledger.not_tx, and the BalanceTable ids for funds and accounts.
  Check append(const Block& block);
  Check check(const Block& block) const;

  // Re-checks a whole chain from genesis: its height (last index) or the first error,
  // naming the block.
  static Result<std::uint64_t> verify(const std::vector<Block>& blocks);

  std::uint64_t height() const { return blocks_.size() - 1; }
  const std::string& head() const { return blocks_.back().hash; }
  const std::string& genesis_hash() const { return blocks_.front().hash; }
  const Block& at(std::uint64_t index) const { return blocks_.at(index); }
  const BalanceTable& table() const { return table_; }
  std::vector<Block> range(std::uint64_t from, std::uint64_t limit) const;

 private:
  std::vector<Block> blocks_;
  BalanceTable table_;
};

}  // namespace bank
