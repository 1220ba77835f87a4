// BalanceTable: opening balances, the transfer checks by error id, applying transfers, and money conserved.
#include "domain/balance_table.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace bank;

namespace {

const Balances kOpening{{1, 1000}, {2, 1000}, {3, 1000}};

}  // namespace

TEST_CASE("balance table: holds the opening balances") {
  BalanceTable t(kOpening);
  CHECK(t.balances() == kOpening);
  CHECK(t.knows(1));
  CHECK(t.knows(3));
  CHECK_FALSE(t.knows(0));
  CHECK_FALSE(t.knows(4));
  CHECK(t.balance(2) == 1000);
  CHECK(t.balance(9) == 0);
  CHECK(t.total() == 3000);

  BalanceTable empty;
  CHECK(empty.balances().empty());
  CHECK(empty.total() == 0);
  CHECK_FALSE(empty.knows(1));
}

TEST_CASE("balance table: check accepts a funded transfer, up to the whole balance") {
  BalanceTable t(kOpening);
  CHECK_FALSE(t.check(Tx{"a", 1, 2, 1, 0}));
  CHECK_FALSE(t.check(Tx{"a", 1, 2, 1000, 0}));
  CHECK(t.balances() == kOpening);  // check alone changes nothing
}

TEST_CASE("balance table: check refuses each bad transfer with its error id") {
  struct Bad {
    std::string name;
    Tx tx;
    const char* id;
  };
  const std::vector<Bad> bad{
      {"zero amount", {"a", 1, 2, 0, 0}, "bank.amount"},
      {"negative amount", {"a", 1, 2, -1, 0}, "bank.amount"},
      {"unknown payer", {"a", 7, 2, 10, 0}, "bank.unknown_account"},
      {"unknown payee", {"a", 1, 7, 10, 0}, "bank.unknown_account"},
      {"self transfer", {"a", 2, 2, 10, 0}, "bank.self_transfer"},
      {"one cent short", {"a", 1, 2, 1001, 0}, "bank.funds"},
      {"far too much", {"a", 3, 1, INT64_MAX, 0}, "bank.funds"},
  };
  BalanceTable t(kOpening);
  for (const auto& row : bad) {
    CAPTURE(row.name);
    auto e = t.check(row.tx);
    REQUIRE(e);
    CHECK(e->id == row.id);
    CHECK_FALSE(e->message.empty());
  }
  CHECK(t.balances() == kOpening);

  auto funds = t.check(Tx{"a", 1, 2, 1001, 0});
  REQUIRE(funds);
  CHECK(funds->message.find("account 1") != std::string::npos);
  auto unknown = t.check(Tx{"a", 1, 7, 10, 0});
  REQUIRE(unknown);
  CHECK(unknown->message.find("account 7") != std::string::npos);
}

TEST_CASE("balance table: apply moves the amount from payer to payee") {
  BalanceTable t(kOpening);
  t.apply(Tx{"a", 1, 2, 400, 0});
  CHECK(t.balances() == Balances{{1, 600}, {2, 1400}, {3, 1000}});
  t.apply(Tx{"b", 2, 3, 1400, 0});
  CHECK(t.balances() == Balances{{1, 600}, {2, 0}, {3, 2400}});
  // Funds are checked against the balance now, not the opening one.
  CHECK(t.check(Tx{"c", 2, 1, 1, 0})->id == "bank.funds");
  CHECK_FALSE(t.check(Tx{"c", 3, 1, 2400, 0}));
}

TEST_CASE("balance table: totals are conserved over many checked transfers") {
  BalanceTable t({{1, 500}, {2, 0}, {3, 1234}, {10, 99}});
  const Cents total = t.total();
  const std::vector<NodeId> ids{1, 2, 3, 10};
  std::uint64_t seed = 12345;  // a fixed LCG: deterministic
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 33;
  };
  int applied = 0, refused = 0;
  for (int i = 0; i < 2000; ++i) {
    Tx tx{"t", ids[next() % ids.size()], ids[next() % ids.size()], static_cast<Cents>(next() % 800) - 50, 0};
    if (t.check(tx)) {
      ++refused;
      continue;
    }
    t.apply(tx);
    ++applied;
    CHECK(t.total() == total);
    for (const auto& [id, cents] : t.balances()) CHECK(cents >= 0);
  }
  CHECK(applied > 100);  // the run exercised both paths
  CHECK(refused > 100);
  CHECK(t.total() == total);
  CHECK(t.balances().size() == 4);
}
