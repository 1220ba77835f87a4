// Chain: append accepts a right block and refuses each kind of wrong one unchanged; verify names the first bad block; range.
#include "actors/ledger/chain.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "actors/ledger/block_hash.hpp"
#include "ledger_fixtures.hpp"

using namespace bank;
using namespace bank::unit;

namespace {

Chain opening_chain() { return Chain(genesis()); }

// A valid chain of 5 blocks (heights 0..4) moving money around the three accounts.
std::vector<Block> five_blocks() {
  Chain c = opening_chain();
  const std::vector<Tx> txs{{"1-1", 1, 2, 400, 3}, {"2-1", 2, 3, 900, 5}, {"3-1", 3, 1, 1500, 8}, {"1-2", 1, 3, 2000, 9}};
  for (const Tx& tx : txs) REQUIRE_FALSE(c.append(c.next_block(tx)));
  return c.range(0, 100);
}

// Re-hash blocks [from, end) so that their links and hashes agree again after an edit.
void relink(std::vector<Block>& blocks, std::size_t from) {
  for (std::size_t i = from; i < blocks.size(); ++i) {
    if (i > 0) blocks[i].prev = blocks[i - 1].hash;
    blocks[i].hash = block_hash(blocks[i]);
  }
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("chain: a new chain holds only its genesis") {
  Chain c = opening_chain();
  CHECK(c.height() == 0);
  CHECK(c.head() == c.genesis_hash());
  CHECK(c.at(0).genesis == kOpening);
  CHECK(c.at(0).prev == zero_hash);
  CHECK(c.table().balances() == kOpening);
}

TEST_CASE("chain: append accepts a correct block and moves the money") {
  Chain c = opening_chain();
  const std::string genesis = c.head();
  Block b = c.next_block(Tx{"1-1", 1, 2, 400, 7});
  CHECK_FALSE(c.check(b));
  CHECK(c.height() == 0);  // check alone changes nothing

  CHECK_FALSE(c.append(b));
  CHECK(c.height() == 1);
  CHECK(c.head() == b.hash);
  CHECK(c.at(1) == b);
  CHECK(c.at(1).prev == genesis);
  CHECK(c.genesis_hash() == genesis);
  CHECK(c.table().balances() == Balances{{1, 600}, {2, 1400}, {3, 1000}});

  // The whole balance may be spent, to the last cent.
  CHECK_FALSE(c.append(c.next_block(Tx{"1-2", 1, 3, 600, 8})));
  CHECK(c.table().balance(1) == 0);
  CHECK(c.height() == 2);
}

TEST_CASE("chain: append refuses each wrong block with its error id and changes nothing") {
  struct Bad {
    std::string name;
    std::function<Block(const Chain&)> make;
    const char* id;
  };
  auto tx_block = [](const Chain& c, Tx tx) { return c.next_block(std::move(tx)); };
  const std::vector<Bad> bad{
      {"index one ahead", [&](const Chain& c) { Block b = tx_block(c, {"1-9", 1, 2, 10, 1}); b.index += 1; return rehashed(b); },
       "ledger.index"},
      {"index repeated", [&](const Chain& c) { Block b = tx_block(c, {"1-9", 1, 2, 10, 1}); b.index -= 1; return rehashed(b); },
       "ledger.index"},
      {"prev not the head", [&](const Chain& c) { Block b = tx_block(c, {"1-9", 1, 2, 10, 1}); b.prev = zero_hash; return rehashed(b); },
       "ledger.prev"},
      {"hash one digit off", [&](const Chain& c) {
         Block b = tx_block(c, {"1-9", 1, 2, 10, 1});
         b.hash[10] = b.hash[10] == '0' ? '1' : '0';
         return b;
       }, "ledger.hash"},
      {"hash of other content", [&](const Chain& c) { Block b = tx_block(c, {"1-9", 1, 2, 10, 1}); b.tx->amount = 11; return b; },
       "ledger.hash"},
      {"genesis where a tx belongs", [&](const Chain& c) {
         Block b;
         b.index = c.height() + 1;
         b.prev = c.head();
         b.genesis = Balances{{1, 5000}};
         return rehashed(b);
       }, "ledger.not_tx"},
      {"genesis and tx in one block", [&](const Chain& c) {
         Block b = tx_block(c, {"1-9", 1, 2, 10, 1});
         b.genesis = Balances{{1, 5000}};
         return rehashed(b);
       }, "ledger.not_tx"},
      {"overdraft by one cent", [&](const Chain& c) { return tx_block(c, {"1-9", 1, 2, c.table().balance(1) + 1, 1}); },
       "bank.funds"},
      {"unknown payee", [&](const Chain& c) { return tx_block(c, {"1-9", 1, 9, 10, 1}); }, "bank.unknown_account"},
      {"unknown payer", [&](const Chain& c) { return tx_block(c, {"9-9", 9, 1, 10, 1}); }, "bank.unknown_account"},
      {"self transfer", [&](const Chain& c) { return tx_block(c, {"1-9", 1, 1, 10, 1}); }, "bank.self_transfer"},
      {"zero amount", [&](const Chain& c) { return tx_block(c, {"1-9", 1, 2, 0, 1}); }, "bank.amount"},
      {"negative amount", [&](const Chain& c) { return tx_block(c, {"1-9", 1, 2, -5, 1}); }, "bank.amount"},
  };

  for (const auto& row : bad) {
    CAPTURE(row.name);
    Chain c = opening_chain();
    REQUIRE_FALSE(c.append(c.next_block(Tx{"1-1", 1, 2, 400, 7})));
    const auto height = c.height();
    const std::string head = c.head();
    const Balances balances = c.table().balances();

    Block b = row.make(c);
    auto e = c.append(b);
    REQUIRE(e);
    CHECK(e->id == row.id);
    CHECK_FALSE(e->message.empty());
    CHECK(c.height() == height);
    CHECK(c.head() == head);
    CHECK(c.table().balances() == balances);
    CHECK(c.range(0, 100).size() == height + 1);

    // The refusal left the chain able to take the right next block.
    CHECK_FALSE(c.append(c.next_block(Tx{"1-2", 1, 3, 100, 8})));
    CHECK(c.height() == height + 1);
  }
}

TEST_CASE("chain: verify returns the height of a good chain") {
  auto blocks = five_blocks();
  auto r = Chain::verify(blocks);
  REQUIRE(r.ok());
  CHECK(*r == 4);

  auto genesis_only = Chain::verify({blocks.front()});
  REQUIRE(genesis_only.ok());
  CHECK(*genesis_only == 0);

  auto empty = Chain::verify({});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().id == "ledger.empty");
}

TEST_CASE("chain: verify refuses a bad genesis") {
  auto blocks = five_blocks();
  SUBCASE("opening balance changed") { blocks[0].genesis->at(2) = 99999; }
  SUBCASE("genesis with a prev") {
    blocks[0].prev = blocks[1].hash;
    blocks[0].hash = block_hash(blocks[0]);
  }
  SUBCASE("a transfer in its place") {
    blocks[0] = blocks[1];
  }
  auto r = Chain::verify(blocks);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().id == "ledger.genesis");
}

TEST_CASE("chain: verify names the first bad block when one field in the middle is flipped") {
  struct Flip {
    std::string name;
    std::function<void(std::vector<Block>&)> edit;
    const char* id;
    const char* names;  // the message must start with this
  };
  const std::vector<Flip> flips{
      {"amount", [](std::vector<Block>& b) { b[2].tx->amount += 1; }, "ledger.hash", "block 2:"},
      {"txid", [](std::vector<Block>& b) { b[2].tx->txid = "2-99"; }, "ledger.hash", "block 2:"},
      {"payee", [](std::vector<Block>& b) { b[2].tx->to = 1; }, "ledger.hash", "block 2:"},
      {"prev", [](std::vector<Block>& b) { b[2].prev[0] = b[2].prev[0] == 'f' ? 'e' : 'f'; }, "ledger.prev", "block 2:"},
      {"hash", [](std::vector<Block>& b) { b[2].hash[63] = b[2].hash[63] == 'f' ? 'e' : 'f'; }, "ledger.hash", "block 2:"},
      // Re-hashed after the edit: block 2 is now right on its own, so block 3 no longer links.
      {"amount re-hashed", [](std::vector<Block>& b) {
         b[2].tx->amount = 1;
         b[2].hash = block_hash(b[2]);
       }, "ledger.prev", "block 3:"},
      // A forger re-links everything after the edit: hashes agree, but the money does not.
      {"amount re-linked into an overdraft", [](std::vector<Block>& b) {
         b[2].tx->amount = 1401;  // node 2 holds 1400 at that turn
         relink(b, 2);
       }, "bank.funds", "block 2:"},
      {"index", [](std::vector<Block>& b) {
         b[2].index = 5;
         relink(b, 2);
       }, "ledger.index", "block 2:"},
  };
  for (const auto& f : flips) {
    CAPTURE(f.name);
    auto blocks = five_blocks();
    f.edit(blocks);
    auto r = Chain::verify(blocks);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == f.id);
    CAPTURE(r.error().message);
    CHECK(starts_with(r.error().message, f.names));
  }

  // The last block bad: named as block 4.
  auto blocks = five_blocks();
  blocks[4].tx->lamport += 1;
  auto r = Chain::verify(blocks);
  REQUIRE_FALSE(r.ok());
  CHECK(starts_with(r.error().message, "block 4:"));
}

TEST_CASE("chain: range returns at most limit blocks from an index on") {
  Chain c = opening_chain();
  for (const Block& b : five_blocks())
    if (b.index > 0) REQUIRE_FALSE(c.append(b));
  REQUIRE(c.height() == 4);

  auto indexes = [](const std::vector<Block>& blocks) {
    std::vector<std::uint64_t> out;
    for (const Block& b : blocks) out.push_back(b.index);
    return out;
  };
  CHECK(indexes(c.range(0, UINT64_MAX)) == std::vector<std::uint64_t>{0, 1, 2, 3, 4});
  CHECK(indexes(c.range(1, 2)) == std::vector<std::uint64_t>{1, 2});
  CHECK(indexes(c.range(3, 10)) == std::vector<std::uint64_t>{3, 4});
  CHECK(indexes(c.range(4, 1)) == std::vector<std::uint64_t>{4});
  CHECK(c.range(5, 10).empty());
  CHECK(c.range(99, 1).empty());
  CHECK(c.range(0, 0).empty());
  CHECK(c.range(2, 1).front() == c.at(2));
}
