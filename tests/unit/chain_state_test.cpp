// ChainState: the acceptance checks of a next block (index, prev, not_tx, hash, funds) in order, and no change on refusal.
#include "actors/ledger/chain_state.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "actors/ledger/block_hash.hpp"
#include "actors/ledger/chain.hpp"
#include "ledger_fixtures.hpp"

using namespace bank;
using namespace bank::unit;

namespace {

// The right next block for `tx` on top of `s`.
Block next(const ChainState& s, Tx tx) {
  Block b;
  b.index = s.height() + 1;
  b.prev = s.head();
  b.tx = std::move(tx);
  b.hash = block_hash(b);
  return b;
}

}  // namespace

TEST_CASE("chain state: built from genesis it is at height 0 with the opening balances") {
  const Block g = genesis();
  ChainState s(g);
  CHECK(s.height() == 0);
  CHECK(s.head() == g.hash);
  CHECK(s.genesis_hash() == g.hash);
  CHECK(s.table().balances() == kOpening);
}

TEST_CASE("chain state: a right block is checked without change, then taken in") {
  const Block g = genesis();
  ChainState s(g);
  Block b1 = next(s, {"1-1", 1, 2, 400, 3});
  CHECK_FALSE(s.check(b1));
  CHECK(s.height() == 0);
  CHECK(s.head() == g.hash);
  CHECK_FALSE(s.append(b1));
  CHECK(s.height() == 1);
  CHECK(s.head() == b1.hash);
  CHECK(s.genesis_hash() == g.hash);
  CHECK(s.table().balances() == Balances{{1, 600}, {2, 1400}, {3, 1000}});

  // The same block again no longer follows.
  auto again = s.append(b1);
  REQUIRE(again);
  CHECK(again->id == "ledger.index");

  // It agrees with a Chain fed the same blocks.
  Chain c(g);
  REQUIRE_FALSE(c.append(b1));
  Block b2 = next(s, {"2-1", 2, 1, 1400, 4});
  REQUIRE_FALSE(s.append(b2));
  REQUIRE_FALSE(c.append(b2));
  CHECK(s.height() == c.height());
  CHECK(s.head() == c.head());
  CHECK(s.table().balances() == c.table().balances());
  CHECK(s.table().balance(2) == 0);  // to the last cent
}

TEST_CASE("chain state: each wrong block is refused with its id, in the order index, prev, not_tx, hash, funds") {
  struct Row {
    const char* name;
    std::function<Block(const ChainState&)> make;
    const char* id;
  };
  const Tx ok{"1-9", 1, 2, 10, 9};
  const std::vector<Row> rows{
      {"index ahead", [&](const ChainState& s) { Block b = next(s, ok); b.index += 1; return rehashed(b); }, "ledger.index"},
      {"index repeated", [&](const ChainState& s) { Block b = next(s, ok); b.index -= 1; return rehashed(b); }, "ledger.index"},
      {"index 0", [&](const ChainState& s) { Block b = next(s, ok); b.index = 0; return rehashed(b); }, "ledger.index"},
      {"prev zero", [&](const ChainState& s) { Block b = next(s, ok); b.prev = zero_hash; return rehashed(b); }, "ledger.prev"},
      {"prev one digit off", [&](const ChainState& s) {
         Block b = next(s, ok);
         b.prev[63] = b.prev[63] == '0' ? '1' : '0';
         return rehashed(b);
       }, "ledger.prev"},
      {"genesis instead of tx", [&](const ChainState& s) {
         Block b = next(s, ok);
         b.tx.reset();
         b.genesis = Balances{{1, 5}};
         return rehashed(b);
       }, "ledger.not_tx"},
      {"genesis and tx", [&](const ChainState& s) { Block b = next(s, ok); b.genesis = Balances{{1, 5}}; return rehashed(b); },
       "ledger.not_tx"},
      {"neither", [&](const ChainState& s) { Block b = next(s, ok); b.tx.reset(); return rehashed(b); }, "ledger.not_tx"},
      {"hash one digit off", [&](const ChainState& s) {
         Block b = next(s, ok);
         b.hash[0] = b.hash[0] == 'f' ? 'e' : 'f';
         return b;
       }, "ledger.hash"},
      {"amount changed after hashing", [&](const ChainState& s) { Block b = next(s, ok); b.tx->amount = 11; return b; },
       "ledger.hash"},
      {"hash empty", [&](const ChainState& s) { Block b = next(s, ok); b.hash.clear(); return b; }, "ledger.hash"},
      {"overdraft by one cent", [&](const ChainState& s) { return next(s, {"1-9", 1, 2, s.table().balance(1) + 1, 9}); },
       "bank.funds"},
      {"unknown payee", [&](const ChainState& s) { return next(s, {"1-9", 1, 7, 10, 9}); }, "bank.unknown_account"},
      {"self transfer", [&](const ChainState& s) { return next(s, {"1-9", 1, 1, 10, 9}); }, "bank.self_transfer"},
      {"zero amount", [&](const ChainState& s) { return next(s, {"1-9", 1, 2, 0, 9}); }, "bank.amount"},
      // Two faults at once: the earlier check names it.
      {"index and hash", [&](const ChainState& s) { Block b = next(s, ok); b.index += 2; return b; }, "ledger.index"},
      {"prev and hash", [&](const ChainState& s) { Block b = next(s, ok); b.prev = zero_hash; return b; }, "ledger.prev"},
      {"not_tx and hash", [&](const ChainState& s) { Block b = next(s, ok); b.genesis = Balances{{1, 5}}; return b; },
       "ledger.not_tx"},
      {"hash and funds", [&](const ChainState& s) { Block b = next(s, ok); b.tx->amount = 999999; return b; }, "ledger.hash"},
  };

  for (const Row& r : rows) {
    CAPTURE(r.name);
    ChainState s(genesis());
    REQUIRE_FALSE(s.append(next(s, {"1-1", 1, 2, 400, 3})));
    REQUIRE_FALSE(s.append(next(s, {"3-1", 3, 1, 100, 4})));
    const auto height = s.height();
    const std::string head = s.head();
    const Balances balances = s.table().balances();

    const Block bad = r.make(s);
    auto checked = s.check(bad);
    REQUIRE(checked);
    CHECK(checked->id == r.id);
    CHECK_FALSE(checked->message.empty());
    auto appended = s.append(bad);
    REQUIRE(appended);
    CHECK(*appended == *checked);

    CHECK(s.height() == height);
    CHECK(s.head() == head);
    CHECK(s.table().balances() == balances);
    CHECK(s.genesis_hash() == genesis().hash);

    // Still able to take the right block.
    Block right = next(s, {"1-2", 1, 3, 700, 5});
    CHECK_FALSE(s.append(right));
    CHECK(s.height() == height + 1);
    CHECK(s.head() == right.hash);
  }
}
