// LedgerCore: own appends inside the critical section, peers' blocks (in order, held past a gap, refused), queries and catch-up.
#include "actors/ledger/ledger_core.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "actors/ledger/block_hash.hpp"
#include "actors/ledger/memory_block_store.hpp"
#include "core_outputs.hpp"
#include "ledger_fixtures.hpp"

using namespace bank;
using namespace bank::unit;

namespace {

// A peer's chain, built independently of the core under test.
struct PeerChain {
  Chain chain{genesis()};
  Block add(Tx tx) {
    Block b = chain.next_block(std::move(tx));
    REQUIRE_FALSE(chain.append(b));
    return b;
  }
};

}  // namespace

TEST_CASE("ledger core: an entry commits staged funded transfers and aborts unfunded ones at their turn") {
  LedgerCore core(1, Chain(genesis()));
  const Stamp req{11, 1};
  // 600 leaves 400: the 500 is aborted although 1000 were there when the batch began; the 400 still fits.
  Outbox out = enter(core, req, 12, {{"1-1", 1, 2, 600, 0}, {"1-2", 1, 3, 500, 0}, {"1-3", 1, 3, 400, 0}});

  CHECK(core.chain().height() == 2);
  CHECK(core.chain().table().balances() == Balances{{1, 0}, {2, 1600}, {3, 1400}});

  auto commits = logs(out, "commit");
  REQUIRE(commits.size() == 2);
  CHECK(commits[0].fields == nlohmann::json{{"index", 1}, {"txid", "1-1"}, {"from", 1}, {"to", 2}, {"amount", 600}});
  CHECK(commits[1].fields == nlohmann::json{{"index", 2}, {"txid", "1-3"}, {"from", 1}, {"to", 3}, {"amount", 400}});
  CHECK(commits[0].lamport == 12);
  auto aborts = logs(out, "abort");
  REQUIRE(aborts.size() == 1);
  CHECK(aborts[0].fields["txid"] == "1-2");
  CHECK_FALSE(aborts[0].fields["reason"].get<std::string>().empty());

  auto releases = sent<Release>(out, Actor::mutex);
  REQUIRE(releases.size() == 1);
  CHECK(releases[0].req == req);
  REQUIRE(releases[0].blocks.size() == 2);
  CHECK(releases[0].blocks[0] == core.chain().at(1));
  CHECK(releases[0].blocks[1] == core.chain().at(2));
  CHECK(releases[0].blocks[0].tx->lamport == 12);  // stamped with the critical section's clock
  CHECK(releases[0].blocks[1].tx == Tx{"1-3", 1, 3, 400, 12});

  auto done = sent<Committed>(out, Actor::bank);
  REQUIRE(done.size() == 1);
  CHECK(done[0].own_exit);
  CHECK(done[0].blocks == releases[0].blocks);
  REQUIRE(done[0].aborted.size() == 1);
  CHECK(done[0].aborted[0].txid == "1-2");
  CHECK(done[0].aborted[0].reason == aborts[0].fields["reason"].get<std::string>());
  auto heights = sent<LocalHeight>(out, Actor::mutex);
  REQUIRE(heights.size() == 1);
  CHECK(heights[0].height == 2);  // announced in hellos, for peers that catch up from us
  CHECK(out.size() == 6);  // 2 commits, 1 abort, the height, the release, the committed: nothing else
}

TEST_CASE("ledger core: within a batch a transfer may spend what an earlier one brought in") {
  LedgerCore core(1, Chain(genesis()));
  // 2 pays 1 700; 1 then spends 1500 of its 1700; a third overdraws the 200 left.
  Outbox out = enter(core, {4, 1}, 5, {{"x", 2, 1, 700, 0}, {"y", 1, 3, 1500, 0}, {"z", 1, 2, 300, 0}});
  auto done = sent<Committed>(out, Actor::bank);
  REQUIRE(done.size() == 1);
  REQUIRE(done[0].blocks.size() == 2);
  CHECK(done[0].blocks[0].tx->txid == "x");
  CHECK(done[0].blocks[1].tx->txid == "y");
  REQUIRE(done[0].aborted.size() == 1);
  CHECK(done[0].aborted[0].txid == "z");
  CHECK(core.chain().table().balances() == Balances{{1, 200}, {2, 300}, {3, 2500}});
  CHECK(sent<Release>(out, Actor::mutex).at(0).blocks == done[0].blocks);
}

TEST_CASE("ledger core: an entry with nothing funded still releases, empty, and ends the critical section") {
  LedgerCore core(1, Chain(genesis()));
  const std::string head = core.chain().head();
  Outbox out = enter(core, {7, 1}, 8, {{"1-1", 1, 2, 5000, 0}});
  CHECK(core.chain().height() == 0);
  CHECK(core.chain().head() == head);
  auto releases = sent<Release>(out, Actor::mutex);
  REQUIRE(releases.size() == 1);
  CHECK(releases[0].req == Stamp{7, 1});
  CHECK(releases[0].blocks.empty());
  auto done = sent<Committed>(out, Actor::bank);
  REQUIRE(done.size() == 1);
  CHECK(done[0].own_exit);
  CHECK(done[0].blocks.empty());
  CHECK(done[0].aborted.size() == 1);
  CHECK(logs(out, "commit").empty());
  CHECK(logs(out, "abort").size() == 1);
}

TEST_CASE("ledger core: a peer's blocks are appended in order and reported to the bank") {
  LedgerCore core(1, Chain(genesis()));
  PeerChain peer;
  Block b1 = peer.add({"2-1", 2, 3, 300, 4});
  Block b2 = peer.add({"2-2", 2, 1, 200, 4});
  Outbox out = step(core, ApplyBlocks{2, 6, {b1, b2}});

  CHECK(core.chain().height() == 2);
  CHECK(core.chain().head() == b2.hash);
  CHECK(core.chain().table().balances() == Balances{{1, 1200}, {2, 500}, {3, 1300}});
  auto commits = logs(out, "commit");
  REQUIRE(commits.size() == 2);
  CHECK(commits[0].fields["index"] == 1);
  CHECK(commits[1].fields["index"] == 2);
  CHECK(commits[1].fields["txid"] == "2-2");
  auto done = sent<Committed>(out, Actor::bank);
  REQUIRE(done.size() == 1);
  CHECK_FALSE(done[0].own_exit);
  CHECK(done[0].blocks == std::vector<Block>{b1, b2});
  CHECK(done[0].aborted.empty());
  CHECK(sent<Release>(out, Actor::mutex).empty());  // a peer's blocks are not ours to release
  CHECK(logs(out, "error").empty());
}

TEST_CASE("ledger core: blocks ahead of a gap wait until the gap fills (releases from two peers crossing)") {
  LedgerCore core(1, Chain(genesis()));
  PeerChain world;
  Block b1 = world.add({"3-1", 3, 2, 100, 2});  // node 3's critical section came first
  Block b2 = world.add({"2-1", 2, 1, 250, 5});  // then node 2's
  Block b3 = world.add({"2-2", 2, 3, 50, 5});

  // Node 2's release overtakes node 3's on the way here.
  Outbox early = step(core, ApplyBlocks{2, 6, {b2, b3}});
  CHECK(core.chain().height() == 0);
  CHECK(sent<Committed>(early, Actor::bank).empty());
  CHECK(logs(early, "commit").empty());
  CHECK(logs(early, "error").empty());

  Outbox filled = step(core, ApplyBlocks{3, 7, {b1}});
  CHECK(core.chain().height() == 3);
  CHECK(core.chain().head() == b3.hash);
  auto done = sent<Committed>(filled, Actor::bank);
  REQUIRE(done.size() == 1);
  CHECK(done[0].blocks == std::vector<Block>{b1, b2, b3});
  auto commits = logs(filled, "commit");
  REQUIRE(commits.size() == 3);
  CHECK(commits[0].fields["txid"] == "3-1");
  CHECK(commits[1].fields["txid"] == "2-1");
  CHECK(commits[2].fields["txid"] == "2-2");
  CHECK(core.chain().table().balances() == Balances{{1, 1250}, {2, 800}, {3, 950}});
}

TEST_CASE("ledger core: a re-sent block identical to ours is ignored - a conflicting one is a divergence") {
  LedgerCore core(1, Chain(genesis()));
  PeerChain peer;
  Block b1 = peer.add({"2-1", 2, 3, 300, 4});
  step(core, ApplyBlocks{2, 6, {b1}});
  REQUIRE(core.chain().height() == 1);

  Outbox again = step(core, ApplyBlocks{2, 7, {b1}});
  CHECK(again.empty());
  CHECK(core.chain().height() == 1);
  CHECK(core.chain().table().balance(3) == 1300);

  // Another block 1, validly hashed, on the same genesis: a fork.
  PeerChain other;
  Block fork = other.add({"3-1", 3, 1, 10, 4});
  Outbox conflict = step(core, ApplyBlocks{3, 8, {fork}});
  auto diverged = logs(conflict, "diverged");
  REQUIRE(diverged.size() == 1);
  CHECK(diverged[0].fields["peer"] == 3);
  CHECK(diverged[0].fields["index"] == 1);
  CHECK(sent<Diverged>(conflict, Actor::mutex).size() == 1);
  CHECK(sent<Committed>(conflict, Actor::bank).empty());
  CHECK(core.chain().height() == 1);
  CHECK(core.chain().head() == b1.hash);
  CHECK(core.chain().table().balances() == Balances{{1, 1000}, {2, 700}, {3, 1300}});
}

TEST_CASE("ledger core: a refused peer block logs an error and changes nothing") {
  PeerChain peer;
  Block good = peer.add({"2-1", 2, 3, 300, 4});

  auto overdraft = [] {
    PeerChain p;
    return p.chain.next_block(Tx{"2-1", 2, 3, 1001, 4});
  };
  auto bad_hash = [&] {
    Block b = good;
    b.tx->amount = 999;
    return b;
  };
  auto self_pay = [] {
    PeerChain p;
    return p.chain.next_block(Tx{"2-1", 2, 2, 10, 4});
  };
  for (const Block& bad : {overdraft(), bad_hash(), self_pay()}) {
    LedgerCore core(1, Chain(genesis()));
    const std::string head = core.chain().head();
    Outbox out = step(core, ApplyBlocks{2, 6, {bad}});
    auto errors = logs(out, "error");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].fields["error"].get<std::string>().find("node 2") != std::string::npos);
    CHECK(sent<Committed>(out, Actor::bank).empty());
    CHECK(logs(out, "commit").empty());
    CHECK(core.chain().height() == 0);
    CHECK(core.chain().head() == head);
    CHECK(core.chain().table().balances() == kOpening);

    // The right block is still taken afterwards.
    step(core, ApplyBlocks{2, 7, {good}});
    CHECK(core.chain().height() == 1);
  }
}

TEST_CASE("ledger core: staged transfers are appended in order, at most batch per entry, unstaged ones never") {
  LedgerCore core(1, Chain(genesis()), 2);
  Outbox quiet;
  for (const char* id : {"1-1", "1-2", "1-3", "1-4"}) core.step(Stage{Tx{id, 1, 2, 10, 0}}, quiet);
  core.step(Unstage{{"1-2", "1-9"}}, quiet);  // 1-9 was never staged: nothing happens to it
  CHECK(quiet.empty());

  auto txids = [](const Outbox& out) {
    std::vector<std::string> ids;
    for (const auto& r : sent<Release>(out, Actor::mutex))
      for (const Block& b : r.blocks) ids.push_back(b.tx->txid);
    return ids;
  };
  Outbox first = step(core, Granted{{9, 1}, 14});
  CHECK(txids(first) == std::vector<std::string>{"1-1", "1-3"});
  Outbox second = step(core, Granted{{20, 1}, 21});
  CHECK(txids(second) == std::vector<std::string>{"1-4"});
  CHECK(sent<Release>(second, Actor::mutex)[0].req == Stamp{20, 1});
  Outbox third = step(core, Granted{{30, 1}, 31});  // nothing left: an empty entry still ends
  CHECK(txids(third).empty());
  REQUIRE(sent<Committed>(third, Actor::bank).size() == 1);
  CHECK(sent<Committed>(third, Actor::bank)[0].own_exit);
  CHECK(core.chain().height() == 3);
}

TEST_CASE("ledger core: Acquire and Withdraw go on to the mutex, Withdrawn to the bank, unchanged") {
  LedgerCore core(1, Chain(genesis()));
  Outbox a = step(core, Acquire{});
  REQUIRE(a.size() == 1);
  CHECK(sent<Acquire>(a, Actor::mutex).size() == 1);
  Outbox w = step(core, Withdraw{});
  REQUIRE(w.size() == 1);
  CHECK(sent<Withdraw>(w, Actor::mutex).size() == 1);

  Outbox back = step(core, Withdrawn{.silent = {2, 3}});
  REQUIRE(back.size() == 1);
  auto withdrawn = sent<Withdrawn>(back, Actor::bank);
  REQUIRE(withdrawn.size() == 1);
  CHECK(withdrawn[0].silent == std::vector<NodeId>{2, 3});
}

TEST_CASE("ledger core: chain, verify and status queries are answered to the console") {
  LedgerCore core(1, Chain(genesis()));
  PeerChain peer;
  std::vector<Block> blocks{genesis()};
  blocks.push_back(peer.add({"2-1", 2, 3, 300, 4}));
  blocks.push_back(peer.add({"3-1", 3, 1, 100, 5}));
  step(core, ApplyBlocks{2, 6, {blocks[1], blocks[2]}});
  REQUIRE(core.chain().height() == 2);

  auto reply_of = [](const Outbox& out, std::uint64_t client) {
    auto answers = sent<ConsoleOut>(out, Actor::console);
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].client == client);
    return answers[0].reply;
  };

  SUBCASE("chain from genesis") {
    auto r = reply_of(step(core, ChainQuery{41, ChainCmd{}}), 41);
    REQUIRE(std::holds_alternative<ChainReply>(r));
    CHECK(std::get<ChainReply>(r).blocks == blocks);
  }
  SUBCASE("chain from an index, with a limit") {
    auto r = reply_of(step(core, ChainQuery{42, ChainCmd{1, 1}}), 42);
    CHECK(std::get<ChainReply>(r).blocks == std::vector<Block>{blocks[1]});
    auto rest = reply_of(step(core, ChainQuery{43, ChainCmd{2, std::nullopt}}), 43);
    CHECK(std::get<ChainReply>(rest).blocks == std::vector<Block>{blocks[2]});
    auto beyond = reply_of(step(core, ChainQuery{44, ChainCmd{3, std::nullopt}}), 44);
    CHECK(std::get<ChainReply>(beyond).blocks.empty());
  }
  SUBCASE("verify") {
    Outbox out = step(core, VerifyQuery{45});
    CHECK(sent<VerifySlice>(out, Actor::ledger).size() == 1);
    auto r = reply_of(step(core, VerifySlice{}), 45);
    REQUIRE(std::holds_alternative<VerifyReply>(r));
    CHECK(std::get<VerifyReply>(r).height == 2);
  }
  SUBCASE("status: the mutex's part kept, the ledger's added") {
    StatusReply partial{1, 33, 0, "", {{30, 2}}, {{2, true, ""}, {3, false, ""}}};
    auto r = reply_of(step(core, StatusQuery{46, partial}), 46);
    REQUIRE(std::holds_alternative<StatusReply>(r));
    const auto& s = std::get<StatusReply>(r);
    CHECK(s.id == 1);
    CHECK(s.lamport == 33);
    CHECK(s.height == 2);
    CHECK(s.head == blocks[2].hash);
    CHECK(s.queue == std::vector<Stamp>{{30, 2}});
    CHECK(s.peers == std::vector<PeerState>{{2, true, ""}, {3, false, ""}});
  }
}

// Runs the slices the core asks itself for, applying `between` before each; their outputs.
template <class F>
Outbox run_verify(LedgerCore& core, std::uint64_t client, F between, int* slices) {
  Outbox all = step(core, VerifyQuery{client});
  *slices = 0;
  while (!sent<VerifySlice>(all, Actor::ledger).empty()) {
    std::erase_if(all, [](const Addressed& a) { return std::holds_alternative<VerifySlice>(a.msg); });
    between();
    ++*slices;
    Outbox more = step(core, VerifySlice{});
    CHECK(sent<VerifySlice>(more, Actor::ledger).size() <= 1);
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

TEST_CASE("ledger core: a verify goes a slice per step, up to the head as it grows meanwhile") {
  PeerChain source{peer_chain(5000)};
  LedgerCore core(1, Chain(genesis()));
  step(core, ApplyBlocks{2, 1, source.chain.range(1, 4500)});
  REQUIRE(core.chain().height() == 4500);
  int slices = 0;
  std::uint64_t next = 4501;
  // While it verifies, blocks keep coming: 100 before each slice.
  Outbox out = run_verify(core, 7, [&] {
    if (next > 5000) return;
    step(core, ApplyBlocks{2, 1, source.chain.range(next, 100)});
    next += 100;
  }, &slices);
  auto answers = sent<ConsoleOut>(out, Actor::console);
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].client == 7);
  REQUIRE(std::holds_alternative<VerifyReply>(answers[0].reply));
  CHECK(std::get<VerifyReply>(answers[0].reply).height == core.chain().height());
  CHECK(core.chain().height() >= 4800);
  CHECK(slices == static_cast<int>(core.chain().height() / ChainVerifier::kSliceBlocks + 1));
  CHECK(error_logs(out) == 0);
}

TEST_CASE("ledger core: two verifies asked together are both answered, one after the other") {
  PeerChain source{peer_chain(3000)};
  LedgerCore core(1, Chain(genesis()));
  step(core, ApplyBlocks{2, 1, source.chain.range(1, 3000)});
  Outbox first = step(core, VerifyQuery{1});
  Outbox second = step(core, VerifyQuery{2});
  CHECK(sent<VerifySlice>(first, Actor::ledger).size() == 1);
  CHECK(sent<VerifySlice>(second, Actor::ledger).empty());  // the one under way goes on
  std::vector<std::uint64_t> answered;
  for (int n = 0; n < 10 && answered.size() < 2; ++n)
    for (const auto& c : sent<ConsoleOut>(step(core, VerifySlice{}), Actor::console)) {
      CHECK(std::get<VerifyReply>(c.reply).height == 3000);
      answered.push_back(c.client);
    }
  CHECK(answered == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("ledger core: sync is answered with blocks from the index asked, at most sync_batch") {
  LedgerCore core(1, Chain(genesis()));
  PeerChain source{peer_chain(300)};
  step(core, ApplyBlocks{2, 1, source.chain.range(1, UINT64_MAX)});
  REQUIRE(core.chain().height() == 300);

  auto answer = [&](std::uint64_t from) {
    Outbox out = step(core, PeerIn{3, 50, SyncMsg{from}});
    auto msgs = sent<PeerOut>(out, Actor::mutex);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].to == 3);
    REQUIRE(std::holds_alternative<BlocksMsg>(msgs[0].body));
    return std::get<BlocksMsg>(msgs[0].body);
  };

  BlocksMsg first = answer(0);
  CHECK(first.height == 300);
  REQUIRE(first.blocks.size() == LedgerCore::sync_batch);
  CHECK(first.blocks.front() == core.chain().at(0));
  CHECK(first.blocks.back().index == LedgerCore::sync_batch - 1);

  BlocksMsg tail = answer(290);
  CHECK(tail.height == 300);
  REQUIRE(tail.blocks.size() == 11);
  CHECK(tail.blocks.front() == core.chain().at(290));
  CHECK(tail.blocks.back() == core.chain().at(300));

  BlocksMsg nothing = answer(301);
  CHECK(nothing.blocks.empty());
  CHECK(nothing.height == 300);
}

TEST_CASE("ledger core: catch-up appends history and asks for more while the peer is higher") {
  PeerChain source{peer_chain(300)};
  LedgerCore core(3, Chain(genesis()));
  step(core, PeerHeight{2, 300});  // asks node 2 from 1

  // First batch as if the peer answered from 0: genesis (ours already) and blocks 1..255.
  Outbox out1 = step(core, PeerIn{2, 40, BlocksMsg{source.chain.range(0, LedgerCore::sync_batch), 300, source.chain.head(), 1}});
  CHECK(core.chain().height() == 255);
  CHECK(core.chain().head() == source.chain.at(255).hash);
  CHECK(logs(out1, "commit").size() == 255);
  CHECK(logs(out1, "error").empty());
  auto done1 = sent<Committed>(out1, Actor::bank);
  REQUIRE(done1.size() == 1);
  CHECK(done1[0].blocks.size() == 255);
  CHECK_FALSE(done1[0].own_exit);
  auto more = sent<PeerOut>(out1, Actor::mutex);
  REQUIRE(more.size() == 1);
  CHECK(more[0].to == 2);
  REQUIRE(std::holds_alternative<SyncMsg>(more[0].body));
  CHECK(std::get<SyncMsg>(more[0].body).from == 256);

  // The rest: caught up, no further ask.
  Outbox out2 = step(core, PeerIn{2, 41, BlocksMsg{source.chain.range(256, LedgerCore::sync_batch), 300, source.chain.head(), 256}});
  CHECK(core.chain().height() == 300);
  CHECK(core.chain().head() == source.chain.head());
  CHECK(core.chain().table().balances() == source.chain.table().balances());
  CHECK(sent<PeerOut>(out2, Actor::mutex).empty());
  CHECK(sent<Committed>(out2, Actor::bank).at(0).blocks.size() == 45);

  // An answer nobody asked for: dropped and logged, nothing else.
  Outbox out3 = step(core, PeerIn{1, 42, BlocksMsg{{}, 300, source.chain.head(), 301}});
  CHECK(out3.size() == 1);
  CHECK(error_logs(out3) == 1);
}

TEST_CASE("ledger core: catch-up history is checked - a bad block is refused with an error and nothing more is asked") {
  PeerChain source{peer_chain(10)};
  std::vector<Block> history = source.chain.range(1, UINT64_MAX);
  history[4].tx->amount = 6;  // block 5 no longer matches its hash
  LedgerCore core(3, Chain(genesis()));
  step(core, PeerHeight{2, 20});
  Outbox out = step(core, PeerIn{2, 40, BlocksMsg{history, 20, std::string(64, 'f'), 1}});
  CHECK(core.chain().height() == 4);
  CHECK(core.chain().head() == source.chain.at(4).hash);
  auto errors = logs(out, "error");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].fields["error"].get<std::string>().find("block 5") != std::string::npos);
  CHECK(sent<PeerOut>(out, Actor::mutex).empty());
}

TEST_CASE("ledger core: group commit: peers' blocks wait for the next sync, which comes before anything leaves") {
  auto store = std::make_shared<MemoryBlockStore>(genesis());
  LedgerCore core(1, Chain(ChainState(genesis()), store));
  PeerChain peer;
  Block p1 = peer.add({"2-1", 2, 3, 100, 5});
  Block p2 = peer.add({"2-2", 2, 3, 100, 5});
  const auto syncs_before = store->syncs();

  // Releases received: applied and written, not yet synced (they are durable at node 2).
  step(core, ApplyBlocks{2, 6, {p1, p2}});
  CHECK(core.chain().height() == 2);
  CHECK(store->unsynced() == 2);
  CHECK(store->syncs() == syncs_before);

  // Our own entry: one sync covers the peer's blocks and ours, before the release is out.
  Outbox own = enter(core, {7, 1}, 8, {{"1-1", 1, 2, 50, 0}, {"1-2", 1, 3, 50, 0}});
  CHECK(sent<Release>(own, Actor::mutex).size() == 1);
  CHECK(store->unsynced() == 0);
  CHECK(store->syncs() == syncs_before + 1);

  // A received block is synced by the next tick at the latest.
  Block p3 = core.chain().next_block({"2-3", 2, 1, 10, 9});
  step(core, ApplyBlocks{2, 10, {p3}});
  CHECK(store->unsynced() == 1);
  step(core, Tick{1000});
  CHECK(store->unsynced() == 0);

  // And before a catch-up answer hands it to a peer.
  Block p4 = core.chain().next_block({"2-4", 2, 1, 10, 11});
  step(core, ApplyBlocks{2, 12, {p4}});
  CHECK(store->unsynced() == 1);
  Outbox answer = step(core, PeerIn{3, 13, SyncMsg{4}});
  CHECK(store->unsynced() == 0);
  CHECK(sent<PeerOut>(answer, Actor::mutex).size() == 1);
}

namespace {
Signer test_signer(NodeId id) {
  std::array<unsigned char, 32> seed{};
  seed.fill(static_cast<unsigned char>(40 + id));
  return Signer::from_seed(seed);
}
std::shared_ptr<const KeyRing> test_ring() {
  auto ring = std::make_shared<KeyRing>();
  for (NodeId id : {1u, 2u, 3u}) ring->add_signing_key(id, test_signer(id).public_key());
  return ring;
}
// Node 2's batch on top of `chain`: unsigned but for its last block, which node `signer` signs.
std::vector<Block> batch_of_2(const Chain& chain, NodeId signer, int n) {
  std::vector<Block> run;
  ChainState trial = chain.state();
  for (int i = 1; i <= n; ++i) {
    run.push_back(Chain::block_on(trial, {"2-" + std::to_string(i), 2, 3, 10, 5}));
    REQUIRE_FALSE(trial.append(run.back()));
  }
  run.back().sig = test_signer(signer).sign_hash(run.back().hash);
  return run;
}
}  // namespace

TEST_CASE("ledger core: with a signer an entry signs the last block of its batch, which covers the batch") {
  auto keys = test_ring();
  LedgerCore core(1, Chain(genesis(), keys), 64, test_signer(1));
  Outbox out = enter(core, Stamp{11, 1}, 12, {{"1-1", 1, 2, 10, 0}, {"1-2", 1, 3, 10, 0}, {"1-3", 1, 2, 10, 0}});
  auto releases = sent<Release>(out, Actor::mutex);
  REQUIRE(releases.size() == 1);
  REQUIRE(releases[0].blocks.size() == 3);
  CHECK(releases[0].blocks[0].sig.empty());
  CHECK(releases[0].blocks[1].sig.empty());
  CHECK(keys->signed_by(1, releases[0].blocks[2].hash, releases[0].blocks[2].sig));
  CHECK(core.chain().height() == 3);
  CHECK(core.chain().state().covered());
  CHECK(Chain::verify(core.chain().range(0, 10), keys).value() == 3);
}

TEST_CASE("ledger core: a release is refused whole when a block spends another account than the releaser's") {
  LedgerCore core(1, Chain(genesis(), test_ring()), 64, test_signer(1));
  Chain peer(genesis(), test_ring());
  auto run = batch_of_2(peer, 2, 2);
  run[0].tx->from = 3;  // node 2 slips in a debit of account 3
  run[0] = rehashed(run[0]);
  Outbox out = step(core, ApplyBlocks{2, 6, run});
  CHECK(core.chain().height() == 0);
  CHECK(sent<Committed>(out, Actor::bank).empty());
  REQUIRE(logs(out, "error").size() == 1);
  CHECK(logs(out, "error")[0].fields["error"].get<std::string>().find("spends account 3") != std::string::npos);
}

TEST_CASE("ledger core: a release whose signature is not its payer's, or missing, appends nothing") {
  LedgerCore core(1, Chain(genesis(), test_ring()), 64, test_signer(1));
  Chain peer(genesis(), test_ring());
  Outbox out = step(core, ApplyBlocks{2, 6, batch_of_2(peer, 3, 2)});  // signed by node 3's key
  CHECK(core.chain().height() == 0);
  CHECK(error_logs(out) == 1);

  auto unsigned_run = batch_of_2(peer, 2, 2);
  unsigned_run.back().sig.clear();
  out = step(core, ApplyBlocks{2, 6, unsigned_run});
  CHECK(core.chain().height() == 0);  // waits for a signed end that never comes
  CHECK(sent<Committed>(out, Actor::bank).empty());

  out = step(core, ApplyBlocks{2, 6, batch_of_2(peer, 2, 2)});
  CHECK(core.chain().height() == 2);
  CHECK(sent<Committed>(out, Actor::bank).size() == 1);
}

TEST_CASE("ledger core: an entry's release fits in one peer frame - the transfers past it wait for the next entry") {
  LedgerCore core(1, Chain(genesis()), 10000);
  // 6,000 transfers with the longest txids: about 2 MB of blocks, twice what one frame holds.
  std::vector<Tx> txs;
  for (int i = 0; i < 6000; ++i) {
    std::string txid = std::to_string(i) + "-";
    txid += std::string(64 - txid.size(), 'x');
    txs.push_back(i % 2 ? Tx{txid, 2, 3, 1, 0} : Tx{txid, 3, 2, 1, 0});
  }
  Outbox out = enter(core, {11, 1}, 12, txs);
  auto releases = sent<Release>(out, Actor::mutex);
  REQUIRE(releases.size() == 1);
  const auto first = releases[0].blocks.size();
  CHECK(first > 1000);
  CHECK(first < 6000);
  CHECK(core.chain().height() == first);
  const PeerMessage frame{1, 13, 101, 202, 7, 6, ReleaseMsg{{11, 1}, releases[0].blocks}};
  const std::string text = encode_peer(frame);
  CHECK(text.size() <= max_peer_frame);
  CHECK(text.size() > max_peer_frame / 2);
  CHECK(decode_peer(text));  // and the peer takes it whole
  // The rest go in the next entries, in order.
  std::uint64_t total = first;
  for (Lamport l = 20; total < 6000 && l < 40; l += 2) {
    Outbox next;
    core.step(Granted{{l, 1}, l}, next);
    auto r = sent<Release>(next, Actor::mutex);
    REQUIRE(r.size() == 1);
    REQUIRE_FALSE(r[0].blocks.empty());
    CHECK(r[0].blocks.front().tx->txid.starts_with(std::to_string(total) + "-"));
    CHECK(encode_peer(PeerMessage{1, l, 101, 202, 8, 6, ReleaseMsg{{l, 1}, r[0].blocks}}).size() <= max_peer_frame);
    total += r[0].blocks.size();
  }
  CHECK(total == 6000);
  CHECK(core.chain().height() == 6000);
}

TEST_CASE("ledger core: chain replies are pages of at most max_chain_page blocks that say where to go on") {
  LedgerCore core(1, peer_chain(2500));
  auto page = [&](std::uint64_t from, std::optional<std::uint64_t> limit) {
    auto replies = sent<ConsoleOut>(step(core, ChainQuery{7, ChainCmd{from, limit}}), Actor::console);
    REQUIRE(replies.size() == 1);
    return std::get<ChainReply>(replies[0].reply);
  };
  auto p = page(0, std::nullopt);
  CHECK(p.blocks.size() == max_chain_page);
  CHECK(p.blocks.front().index == 0);
  CHECK(p.next == max_chain_page);
  p = page(0, 100000);  // a bigger limit gets the page anyway
  CHECK(p.blocks.size() == max_chain_page);
  CHECK(p.next == max_chain_page);
  p = page(10, 5);
  CHECK(p.blocks.size() == 5);
  CHECK(p.blocks.front().index == 10);
  CHECK(p.next == 15);
  p = page(2000, std::nullopt);  // the last page: 2000..2500, nothing after
  CHECK(p.blocks.size() == 501);
  CHECK(p.blocks.back().index == 2500);
  CHECK_FALSE(p.next);
  p = page(2496, 5);  // exactly to the end
  CHECK(p.blocks.size() == 5);
  CHECK_FALSE(p.next);
  p = page(9000, std::nullopt);
  CHECK(p.blocks.empty());
  CHECK_FALSE(p.next);
  // Following `next` from 0 reads the whole chain once.
  std::uint64_t seen = 0;
  for (std::optional<std::uint64_t> from = 0; from; from = p.next) {
    p = page(*from, std::nullopt);
    CHECK(p.blocks.front().index == seen);
    seen += p.blocks.size();
  }
  CHECK(seen == 2501);
}

namespace {
// What the ledger adds to a metrics reply on its way to the mutex.
MetricsReply ledger_metrics(LedgerCore& core) {
  auto q = sent<MetricsQuery>(step(core, MetricsQuery{5, {}}), Actor::mutex);
  REQUIRE(q.size() == 1);
  CHECK(q[0].client == 5);
  return q[0].reply;
}
}  // namespace

TEST_CASE("ledger core: metrics count transfers per entry, empty entries too, and the store's sync times") {
  auto store = std::make_shared<MemoryBlockStore>(genesis());
  LedgerCore core(1, Chain(ChainState(genesis()), store));
  store->set_sync_us(180);  // what the "disk" reports for each sync that had work
  enter(core, {3, 1}, 4, {{"1-1", 1, 2, 100, 0}, {"1-2", 1, 3, 100, 0}, {"1-3", 1, 2, 5000, 0}});  // 2 + an abort
  enter(core, {5, 1}, 6, {{"1-4", 1, 2, 9000, 0}});  // aborted: an entry with no block
  enter(core, {7, 1}, 8, {{"1-5", 1, 2, 1, 0}});
  step(core, Tick{100});  // nothing left to sync: no disk time

  auto m = ledger_metrics(core);
  const auto& per_entry = m.metrics.histograms.at("transfers_per_entry");
  CHECK(per_entry.count() == 3);
  CHECK(per_entry.sum() == 3);  // the blocks committed, not the aborts
  CHECK(per_entry.counts()[0] == 1);  // le 0
  CHECK(per_entry.counts()[1] == 1);  // le 1
  CHECK(per_entry.counts()[2] == 1);  // le 2
  const auto& fsync = m.metrics.histograms.at("fsync_us");
  CHECK(fsync.count() == 3);  // one per entry (the aborts' records needed syncing too)
  CHECK(fsync.sum() == 3 * 180);
  CHECK(m.metrics.gauges.at("height") == 3);
  CHECK(m.metrics.counters.at("block_log_bytes") == store->bytes_written());
  CHECK(store->bytes_written() > 0);

  // A peer's block written and synced at the tick: one more sync timed, the height follows.
  PeerChain peer;
  for (int i = 1; i <= 3; ++i) peer.add(core.chain().at(static_cast<std::uint64_t>(i)).tx.value());
  Block p = peer.add({"2-1", 2, 3, 10, 9});
  step(core, ApplyBlocks{2, 10, {p}});
  step(core, Tick{200});
  m = ledger_metrics(core);
  CHECK(m.metrics.histograms.at("fsync_us").count() == 4);
  CHECK(m.metrics.gauges.at("height") == 4);
  CHECK(m.metrics.histograms.at("transfers_per_entry").count() == 3);  // not ours: no entry
}
