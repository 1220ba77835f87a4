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

namespace {
Signer signer_of(NodeId id) {
  std::array<unsigned char, 32> seed{};
  seed.fill(static_cast<unsigned char>(id));
  return Signer::from_seed(seed);
}
std::shared_ptr<const KeyRing> ring_of_three() {
  auto ring = std::make_shared<KeyRing>();
  for (NodeId id : {1u, 2u, 3u}) ring->add_signing_key(id, signer_of(id).public_key());
  return ring;
}
Block signed_by(Block b, NodeId signer) {
  b.sig = signer_of(signer).sign_hash(b.hash);
  return b;
}
}  // namespace

TEST_CASE("chain state: with keys a block signed by its payer is taken, one signed by another key is refused") {
  ChainState s(genesis(), ring_of_three());
  Block good = signed_by(next(s, {"1-1", 1, 2, 400, 3}), 1);
  CHECK_FALSE(s.append(good));
  CHECK(s.covered());

  Block wrong_payer = signed_by(next(s, {"2-1", 2, 3, 100, 4}), 3);  // node 3 signs node 2's spending
  auto e = s.check(wrong_payer);
  REQUIRE(e);
  CHECK(e->id == "ledger.signature");

  Block forged = next(s, {"2-1", 2, 3, 100, 4});
  forged.sig = std::string(128, '0');
  e = s.check(forged);
  REQUIRE(e);
  CHECK(e->id == "ledger.signature");

  // A signature from another block does not carry over.
  Block replayed = next(s, {"1-2", 1, 3, 100, 4});
  replayed.sig = good.sig;
  CHECK(s.check(replayed)->id == "ledger.signature");
  CHECK(s.height() == 1);
}

TEST_CASE("chain state: a run of one payer may leave all but its last block unsigned, another payer cannot follow an open run") {
  ChainState s(genesis(), ring_of_three());
  CHECK_FALSE(s.append(next(s, {"1-1", 1, 2, 10, 3})));
  CHECK_FALSE(s.covered());
  CHECK(s.run_start() == 1);
  CHECK_FALSE(s.append(next(s, {"1-2", 1, 3, 10, 3})));
  CHECK_FALSE(s.covered());

  auto e = s.check(signed_by(next(s, {"2-1", 2, 3, 10, 4}), 2));
  REQUIRE(e);
  CHECK(e->id == "ledger.unsigned");

  CHECK_FALSE(s.append(signed_by(next(s, {"1-3", 1, 2, 10, 3}), 1)));
  CHECK(s.covered());
  CHECK(s.run_start() == 4);
  CHECK_FALSE(s.append(signed_by(next(s, {"2-1", 2, 3, 10, 4}), 2)));
}

TEST_CASE("chain state: without keys signatures are neither asked for nor checked") {
  ChainState s(genesis());
  Block b = next(s, {"1-1", 1, 2, 10, 3});
  b.sig = std::string(128, '0');
  CHECK_FALSE(s.append(b));
  CHECK_FALSE(s.append(next(s, {"2-1", 2, 3, 10, 4})));
  CHECK(s.covered());
}

TEST_CASE("chain: append_run takes a run whole only when its last block's signature covers it") {
  auto keys = ring_of_three();
  Chain chain(genesis(), keys);
  std::vector<Block> run;
  ChainState trial = chain.state();
  for (const char* id : {"1-1", "1-2", "1-3"}) {
    run.push_back(Chain::block_on(trial, {id, 1, 2, 10, 3}));
    REQUIRE_FALSE(trial.append(run.back()));
  }
  auto e = chain.append_run(run);  // unsigned end
  REQUIRE(e);
  CHECK(e->id == "ledger.unsigned");
  CHECK(chain.height() == 0);

  run.back() = signed_by(run.back(), 2);  // signed, by the wrong node
  e = chain.append_run(run);
  REQUIRE(e);
  CHECK(e->id == "ledger.signature");
  CHECK(chain.height() == 0);

  run.back() = signed_by(run.back(), 1);
  CHECK_FALSE(chain.append_run(run));
  CHECK(chain.height() == 3);
  CHECK(Chain::verify(chain.range(0, 10), keys).value() == 3);
  // The same blocks with the signature taken off fail a verify with keys.
  auto blocks = chain.range(0, 10);
  blocks.back().sig.clear();
  CHECK(Chain::verify(blocks, keys).error().id == "ledger.unsigned");
}

TEST_CASE("chain state: a node's own blocks skip only the hash and signature computations, every other check stays") {
  ChainState s(genesis(), ring_of_three());
  // What Source::own trusts: the hash and signature a node's ledger made itself.
  Block own = signed_by(next(s, {"1-1", 1, 2, 10, 3}), 1);
  Block resigned = own;
  resigned.sig = std::string(128, '0');
  CHECK(s.check(resigned)->id == "ledger.signature");
  CHECK_FALSE(s.check(resigned, ChainState::Source::own));

  // What it does not: funds, links, order and the run rule.
  Block overdraft = signed_by(next(s, {"1-2", 1, 2, 5000, 3}), 1);
  CHECK(s.check(overdraft, ChainState::Source::own)->id == "bank.funds");
  Block unlinked = own;
  unlinked.prev = std::string(64, 'a');
  CHECK(s.check(unlinked, ChainState::Source::own)->id == "ledger.prev");
  REQUIRE_FALSE(s.append(next(s, {"2-1", 2, 3, 10, 4})));  // node 2's open run
  CHECK(s.check(signed_by(next(s, {"1-3", 1, 2, 10, 3}), 1), ChainState::Source::own)->id == "ledger.unsigned");
  CHECK(s.height() == 1);
}
