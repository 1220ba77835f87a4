// BalanceTable: the balance view of a chain and the funds check.
#include "domain/balance_table.hpp"

namespace bank {

BalanceTable::BalanceTable(Balances opening) : balances_(std::move(opening)) {}

Check BalanceTable::check(const Tx& tx) const {
  if (tx.amount <= 0) return make_error("bank.amount", "the amount must be a positive number of cents");
  if (!knows(tx.from)) return make_error("bank.unknown_account", "account " + std::to_string(tx.from) + " does not exist");
  if (!knows(tx.to)) return make_error("bank.unknown_account", "account " + std::to_string(tx.to) + " does not exist");
  if (tx.from == tx.to) return make_error("bank.self_transfer", "an account cannot pay itself");
  if (balances_.at(tx.from) < tx.amount)
    return make_error("bank.funds", "account " + std::to_string(tx.from) + " holds " +
                                        std::to_string(balances_.at(tx.from)) + " cents, less than the " +
                                        std::to_string(tx.amount) + " cents asked");
  return std::nullopt;
}

void BalanceTable::apply(const Tx& tx) {
  balances_[tx.from] -= tx.amount;
  balances_[tx.to] += tx.amount;
}

Cents BalanceTable::balance(NodeId id) const {
  auto it = balances_.find(id);
  return it == balances_.end() ? 0 : it->second;
}

Cents BalanceTable::total() const {
  Cents sum = 0;
  for (const auto& [id, cents] : balances_) sum += cents;
  return sum;
}

}  // namespace bank
