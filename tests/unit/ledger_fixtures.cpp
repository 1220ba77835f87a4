// The chain, ledger and bank tests' shared genesis and chains (see ledger_fixtures.hpp).
#include "ledger_fixtures.hpp"

#include <doctest/doctest.h>

#include <string>

#include "actors/ledger/block_hash.hpp"

namespace bank::unit {

Block genesis() { return Chain::make_genesis(kOpening); }

Chain peer_chain(std::uint64_t height) {
  Chain c(genesis());
  for (std::uint64_t i = 1; i <= height; ++i)
    REQUIRE_FALSE(c.append(c.next_block(i % 2 ? Tx{"2-" + std::to_string(i), 2, 3, 5, i}
                                               : Tx{"3-" + std::to_string(i), 3, 2, 5, i})));
  return c;
}

Block rehashed(Block b) {
  b.hash = block_hash(b);
  return b;
}

Outbox enter(LedgerCore& core, Stamp req, Lamport lamport, const std::vector<Tx>& txs) {
  Outbox ignored;
  for (const Tx& tx : txs) core.step(Stage{tx}, ignored);
  REQUIRE(ignored.empty());  // staging says nothing
  Outbox out;
  core.step(Granted{req, lamport}, out);
  return out;
}

}  // namespace bank::unit
