// BalanceTable: every account's balance, derived from the chain by replaying its
// transfers; checks a transfer against the funds at its turn.
#pragma once

#include <optional>

#include "messages/block.hpp"
#include "messages/result.hpp"

namespace bank {

using Check = std::optional<Error>;  // nullopt: fine

class BalanceTable {
 public:
  BalanceTable() = default;
  explicit BalanceTable(Balances opening);

  // Error ids: bank.amount, bank.unknown_account, bank.self_transfer, bank.funds.
  Check check(const Tx& tx) const;
  void apply(const Tx& tx);  // precondition: check(tx) passed

  bool knows(NodeId id) const { return balances_.contains(id); }
  Cents balance(NodeId id) const;
  Cents total() const;
  const Balances& balances() const { return balances_; }

 private:
  Balances balances_;
};

}  // namespace bank
