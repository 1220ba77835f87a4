// What the chain, ledger and bank tests share: the opening balances, their genesis, and chains built apart from the code under test.
#pragma once

#include <cstdint>

#include "actors/ledger/chain.hpp"
#include "actors/ledger/ledger_core.hpp"

namespace bank::unit {

// Three accounts of 1000 cents each.
inline const Balances kOpening{{1, 1000}, {2, 1000}, {3, 1000}};

// The genesis block of kOpening.
Block genesis();

// A valid chain of `height` blocks on genesis(): money goes back and forth between nodes 2 and 3.
Chain peer_chain(std::uint64_t height);

// `b` with its hash made right again after an edit.
Block rehashed(Block b);

// An own critical section: `txs` staged at the ledger as the bank stages them, then the
// grant {req, lamport}; the grant's outputs.
Outbox enter(LedgerCore& core, Stamp req, Lamport lamport, const std::vector<Tx>& txs);

}  // namespace bank::unit
