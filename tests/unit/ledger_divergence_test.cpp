// LedgerCore and forks: a peer whose chain holds another block than ours at an index is found
// (from its head in a hello or an answer, a release's blocks, a catch-up answer), not extended;
// a lag or a gap is not a fork; block answers are taken only when asked for.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/ledger/ledger_core.hpp"
#include "core_outputs.hpp"
#include "ledger_fixtures.hpp"

using namespace bank;
using namespace bank::unit;

namespace {

// peer_chain(height) with block `at` (and everything after it) replaced: the same first
// at - 1 blocks, then node 1 paying node 3 instead. A valid chain of its own: a fork.
Chain forked_chain(std::uint64_t height, std::uint64_t at) {
  const Chain honest = peer_chain(height);
  Chain c(genesis());
  for (std::uint64_t i = 1; i < at; ++i) REQUIRE_FALSE(c.append(honest.at(i)));
  for (std::uint64_t i = at; i <= height; ++i)
    REQUIRE_FALSE(c.append(c.next_block(Tx{"1-" + std::to_string(i), 1, 3, 7, i})));
  return c;
}

// A ledger holding `c`'s blocks, taken as one release from node 2.
LedgerCore holding(const Chain& c) {
  LedgerCore core(1, Chain(genesis()));
  Outbox ignored;
  core.step(ApplyBlocks{2, 5, c.range(1, UINT64_MAX)}, ignored);
  REQUIRE(core.chain().height() == c.height());
  return core;
}

PeerHeight hello(NodeId peer, const Chain& c, std::uint64_t height) {
  return PeerHeight{.peer = peer, .height = height, .restarted = false, .hint = false, .head = c.at(height).hash};
}

PeerIn answer(NodeId from, const Chain& c, std::uint64_t index) {
  return PeerIn{from, 30, BlocksMsg{c.range(index, LedgerCore::sync_batch), c.height(), c.head(), index}};
}

// The divergence this step reported: the `diverged` log line and the Diverged sent to the
// mutex and the bank must all name the same peer and index.
std::optional<Divergence> found(const Outbox& out) {
  auto lines = logs(out, "diverged");
  auto to_mutex = sent<Diverged>(out, Actor::mutex);
  auto to_bank = sent<Diverged>(out, Actor::bank);
  CHECK(lines.size() == to_mutex.size());
  CHECK(lines.size() == to_bank.size());
  if (lines.empty()) return std::nullopt;
  REQUIRE(lines.size() == 1);
  Divergence d{lines[0].fields["peer"].get<NodeId>(), lines[0].fields["index"].get<std::uint64_t>()};
  CHECK(to_mutex[0].divergence == d);
  CHECK(to_bank[0].divergence == d);
  return d;
}

std::vector<Divergence> status_of(LedgerCore& core) {
  auto replies = sent<ConsoleOut>(step(core, StatusQuery{7, {}}), Actor::console);
  REQUIRE(replies.size() == 1);
  return std::get<StatusReply>(replies[0].reply).diverged;
}

}  // namespace

TEST_CASE("ledger divergence: a hello whose head differs from our block there is a divergence, logged with both hashes") {
  const Chain ours = peer_chain(6);
  const Chain theirs = forked_chain(8, 4);
  LedgerCore core = holding(ours);

  Outbox out = step(core, hello(3, theirs, 5));
  auto d = found(out);
  REQUIRE(d);
  CHECK(*d == Divergence{3, 5});  // where it was seen; the fork itself is lower
  auto line = logs(out, "diverged").at(0);
  CHECK(line.fields["ours"] == ours.at(5).hash);
  CHECK(line.fields["theirs"] == theirs.at(5).hash);
  CHECK(status_of(core) == std::vector<Divergence>{{3, 5}});

  // Found once: the same peer again reports nothing new.
  CHECK_FALSE(found(step(core, hello(3, theirs, 6))));
}

TEST_CASE("ledger divergence: a peer behind us or ahead of us on our chain is no divergence") {
  const Chain ours = peer_chain(6);
  const Chain longer = peer_chain(9);
  LedgerCore core = holding(ours);
  CHECK_FALSE(found(step(core, hello(2, ours, 3))));     // behind: its head is our block 3
  CHECK_FALSE(found(step(core, hello(2, ours, 6))));     // level
  CHECK_FALSE(found(step(core, hello(3, longer, 9))));   // ahead: waits until we hold block 9
  CHECK_FALSE(found(step(core, answer(3, longer, 7))));  // the catch-up from it links on
  CHECK(core.chain().height() == 9);
  CHECK(status_of(core).empty());
}

TEST_CASE("ledger divergence: a head above our height is compared once we hold that block, whoever it came from") {
  const Chain honest = peer_chain(8);
  const Chain theirs = forked_chain(8, 7);
  LedgerCore core = holding(peer_chain(5));
  CHECK_FALSE(found(step(core, hello(3, theirs, 8))));  // we lag: nothing to compare yet
  step(core, hello(2, honest, 8));                      // node 2 is asked (the lower id of two as high)
  Outbox out = step(core, answer(2, honest, 6));
  CHECK(core.chain().height() == 8);
  auto d = found(out);
  REQUIRE(d);
  CHECK(*d == Divergence{3, 8});
}

TEST_CASE("ledger divergence: a released block at height + 1 that does not link on is a divergence - one above is a gap") {
  const Chain ours = peer_chain(4);
  const Chain theirs = forked_chain(6, 4);
  SUBCASE("the gap: we lag, the block waits and is fetched") {
    LedgerCore core = holding(peer_chain(2));
    Outbox out = step(core, ApplyBlocks{3, 9, {theirs.at(5)}});
    CHECK_FALSE(found(out));
    CHECK(error_logs(out) == 0);
    CHECK(core.chain().height() == 2);
  }
  SUBCASE("the fork: its prev names another block 4 than ours") {
    LedgerCore core = holding(ours);
    Outbox out = step(core, ApplyBlocks{3, 9, {theirs.at(5)}});
    auto d = found(out);
    REQUIRE(d);
    CHECK(*d == Divergence{3, 4});
    CHECK(core.chain().height() == 4);
    CHECK(sent<Committed>(out, Actor::bank).empty());
  }
  SUBCASE("a block at an index we hold that is not ours") {
    LedgerCore core = holding(ours);
    auto d = found(step(core, ApplyBlocks{3, 9, {theirs.at(4)}}));
    REQUIRE(d);
    CHECK(*d == Divergence{3, 4});
  }
  SUBCASE("a block that waited for a gap another peer filled with other blocks") {
    LedgerCore core = holding(peer_chain(2));
    CHECK_FALSE(found(step(core, ApplyBlocks{3, 9, {theirs.at(5)}})));  // waits for 3 and 4
    Outbox out = step(core, ApplyBlocks{2, 10, {ours.at(3), ours.at(4)}});
    CHECK(core.chain().height() == 4);
    auto d = found(out);
    REQUIRE(d);
    CHECK(*d == Divergence{3, 4});
  }
}

TEST_CASE("ledger divergence: a catch-up answer that does not link onto our chain is a divergence at our height") {
  const Chain theirs = forked_chain(9, 5);
  LedgerCore core = holding(peer_chain(5));
  step(core, PeerHeight{.peer = 3, .height = 9, .restarted = false, .hint = false, .head = {}});  // asks 3 from 6
  Outbox out = step(core, answer(3, theirs, 6));
  auto d = found(out);
  REQUIRE(d);
  CHECK(*d == Divergence{3, 5});
  CHECK(core.chain().height() == 5);
  CHECK(logs(out, "commit").empty());
}

TEST_CASE("ledger divergence: once diverged nothing more is appended - own, released or fetched - and nothing asked") {
  const Chain ours = peer_chain(4);
  const Chain longer = peer_chain(8);
  LedgerCore core = holding(ours);
  REQUIRE(found(step(core, hello(3, forked_chain(4, 2), 4))));

  // A grant (the mutex had granted before it heard): the section ends with no block, and the
  // staged transfer stays for the bank to answer `timeout` and take back.
  Outbox own = enter(core, {20, 1}, 21, {{"1-1", 1, 2, 10, 0}});
  auto released = sent<Release>(own, Actor::mutex);
  REQUIRE(released.size() == 1);
  CHECK(released[0].blocks.empty());
  CHECK(core.chain().height() == 4);

  // A healthy peer's release and a higher peer: nothing appended, nothing asked.
  Outbox peer = step(core, ApplyBlocks{2, 22, {longer.at(5)}});
  CHECK(core.chain().height() == 4);
  CHECK(logs(peer, "commit").empty());
  Outbox higher = step(core, hello(2, longer, 8));
  CHECK(sent<PeerOut>(higher, Actor::mutex).empty());
  CHECK_FALSE(found(higher));

  // Reading stays: status, chain, and sync answers to healthy peers.
  CHECK(status_of(core) == std::vector<Divergence>{{3, 4}});
  CHECK(sent<PeerOut>(step(core, PeerIn{2, 23, SyncMsg{1}}), Actor::mutex).size() == 1);
}

TEST_CASE("ledger divergence: a block answer is taken only for a sync we sent that peer from that index") {
  const Chain source = peer_chain(5);
  LedgerCore core(1, Chain(genesis()));

  // Nobody asked: dropped and logged, nothing appended.
  Outbox pushed = step(core, answer(2, source, 1));
  CHECK(core.chain().height() == 0);
  REQUIRE(error_logs(pushed) == 1);
  CHECK(logs(pushed, "error")[0].fields["error"].get<std::string>().find("not asked for") != std::string::npos);
  CHECK(logs(pushed, "commit").empty());

  step(core, PeerHeight{2, 5});  // asks node 2 from 1
  // Another peer answering, or the asked peer answering from another index: dropped.
  CHECK(error_logs(step(core, answer(3, source, 1))) == 1);
  CHECK(error_logs(step(core, answer(2, source, 2))) == 1);
  CHECK(core.chain().height() == 0);
  // The answer asked for is taken, once.
  Outbox taken = step(core, answer(2, source, 1));
  CHECK(error_logs(taken) == 0);
  CHECK(core.chain().height() == 5);
  CHECK(error_logs(step(core, answer(2, source, 1))) == 1);
}
