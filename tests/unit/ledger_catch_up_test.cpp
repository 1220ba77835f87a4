// LedgerCore catch-up: asking the highest peer, holding a grant until caught up, giving up on bad peers, serving sync.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "actors/ledger/ledger_core.hpp"
#include "core_outputs.hpp"
#include "ledger_fixtures.hpp"

using namespace bank;
using namespace bank::unit;

namespace {

// Every message of type T in the outbox, whoever it is for.
template <class T>
std::size_t count(const Outbox& out) {
  std::size_t n = 0;
  for (const auto& a : out) n += std::holds_alternative<T>(a.msg);
  return n;
}

// The sync asks in an outbox: (peer, from index); each must go to the mutex, unstamped.
struct Ask {
  NodeId to;
  std::uint64_t from;
  bool operator==(const Ask&) const = default;
};
std::vector<Ask> asks(const Outbox& out) {
  std::vector<Ask> found;
  for (const auto& a : out)
    if (const auto* p = std::get_if<PeerOut>(&a.msg))
      if (const auto* s = std::get_if<SyncMsg>(&p->body)) {
        CHECK(a.to == Actor::mutex);
        CHECK(p->lamport == 0);  // the mutex stamps it
        found.push_back({p->to, s->from});
      }
  return found;
}

// The grants the ledger let through: each is an entry, whose release goes to the mutex (empty
// here, nothing being staged) and whose end goes to the bank.
std::vector<Release> grants(const Outbox& out) {
  CHECK(count<Granted>(out) == 0);  // a grant ends here
  std::size_t exits = 0;
  for (const auto& c : sent<Committed>(out, Actor::bank)) exits += c.own_exit;
  CHECK(exits == sent<Release>(out, Actor::mutex).size());
  return sent<Release>(out, Actor::mutex);
}

// What an honest peer with `c` answers to SyncMsg{index}.
PeerIn answer(NodeId from, const Chain& c, std::uint64_t index) {
  return PeerIn{from, 30, BlocksMsg{c.range(index, LedgerCore::sync_batch), c.height(), c.head(), index}};
}

// A head no chain here has: what a peer that claims more than it holds may announce.
const std::string kClaimed(64, 'f');

const Granted kGrant{{9, 1}, 14};

}  // namespace

TEST_CASE("ledger catch-up: a higher peer is asked once for the blocks after our height") {
  LedgerCore core(1, Chain(genesis()));
  Outbox out = step(core, PeerHeight{2, 5});
  REQUIRE(out.size() == 1);
  CHECK(out[0].to == Actor::mutex);
  const auto* p = std::get_if<PeerOut>(&out[0].msg);
  REQUIRE(p);
  CHECK(p->to == 2);
  CHECK(p->body == PeerBody{SyncMsg{1}});

  // While that answer is pending nothing else asks again: a grant, a lower peer, blocks ahead of a gap.
  CHECK(asks(step(core, Granted{{3, 1}, 4})).empty());
  CHECK(asks(step(core, PeerHeight{3, 2})).empty());
  Chain c = peer_chain(5);
  CHECK(asks(step(core, ApplyBlocks{3, 6, {c.at(4)}})).empty());
  CHECK(core.chain().height() == 0);

  // A higher peer than the one asked takes over.
  CHECK(asks(step(core, PeerHeight{3, 7})) == std::vector<Ask>{{3, 1}});
}

TEST_CASE("ledger catch-up: a restarted peer is asked again (its new incarnation forgot the ask) - a mere height is not") {
  // A height from a request or reply while an ask is pending asks nothing more; a restart of
  // the peer may have lost the ask, so the ledger asks again; answers that then come twice
  // must do no harm (a test below).
  LedgerCore core(1, Chain(genesis()));
  CHECK(asks(step(core, PeerHeight{2, 5, true})) == std::vector<Ask>{{2, 1}});
  CHECK(asks(step(core, PeerHeight{2, 5, false})).empty());
  CHECK(asks(step(core, PeerHeight{2, 6, false})).empty());
  CHECK(asks(step(core, PeerHeight{2, 5, true})) == std::vector<Ask>{{2, 1}});
  CHECK(asks(step(core, PeerHeight{2, 6, true})) == std::vector<Ask>{{2, 1}});
  // A peer no higher than us is never asked.
  CHECK(asks(step(core, PeerHeight{2, 0})).empty());
}

TEST_CASE("ledger catch-up: a grant is held while behind and passed on once, when the answers reach the peer's height") {
  const Chain source = peer_chain(300);
  LedgerCore core(1, Chain(genesis()));
  REQUIRE(asks(step(core, PeerHeight{2, 300})) == std::vector<Ask>{{2, 1}});

  Outbox held = step(core, kGrant);
  CHECK(grants(held).empty());
  CHECK(asks(held).empty());

  Outbox first = step(core, answer(2, source, 1));
  CHECK(core.chain().height() == LedgerCore::sync_batch);
  CHECK(grants(first).empty());
  CHECK(asks(first) == std::vector<Ask>{{2, LedgerCore::sync_batch + 1}});

  Outbox last = step(core, answer(2, source, LedgerCore::sync_batch + 1));
  CHECK(core.chain().height() == 300);
  CHECK(core.chain().head() == source.head());
  auto g = grants(last);
  REQUIRE(g.size() == 1);
  CHECK(g[0].req == kGrant.req);
  CHECK(asks(last).empty());
  // The bank hears of the fetched blocks before our entry ends.
  std::size_t committed_at = last.size(), exit_at = 0;
  for (std::size_t i = 0; i < last.size(); ++i) {
    const auto* c = std::get_if<Committed>(&last[i].msg);
    if (c && !c->own_exit && committed_at == last.size()) committed_at = i;
    if (c && c->own_exit) exit_at = i;
  }
  CHECK(committed_at < exit_at);

  // Never again.
  CHECK(grants(step(core, answer(2, source, 290))).empty());
  CHECK(grants(step(core, PeerHeight{3, 100})).empty());
  CHECK(grants(step(core, ApplyBlocks{2, 40, {}})).empty());
}

TEST_CASE("ledger catch-up: a small gap is filled by one answer and the held grant follows") {
  const Chain source = peer_chain(5);
  LedgerCore core(1, Chain(genesis()));
  step(core, PeerHeight{2, 5});
  CHECK(grants(step(core, kGrant)).empty());
  Outbox out = step(core, answer(2, source, 1));
  CHECK(core.chain().height() == 5);
  CHECK(grants(out).size() == 1);
  CHECK(asks(out).empty());
}

TEST_CASE("ledger catch-up: an answer that comes twice (the ask was repeated) neither stalls nor frees the grant early") {
  const Chain source = peer_chain(300);
  LedgerCore core(1, Chain(genesis()));
  REQUIRE(asks(step(core, PeerHeight{2, 300})) == std::vector<Ask>{{2, 1}});
  CHECK(grants(step(core, kGrant)).empty());
  // The peer's link came back announcing a restart, yet the first ask is still answered
  // (it was on its way), and the ask made again is answered too.
  REQUIRE(asks(step(core, PeerHeight{2, 300, true})) == std::vector<Ask>{{2, 1}});

  Outbox first = step(core, answer(2, source, 1));
  REQUIRE(core.chain().height() == LedgerCore::sync_batch);
  CHECK(grants(first).empty());
  CHECK(asks(first) == std::vector<Ask>{{2, LedgerCore::sync_batch + 1}});

  Outbox twice = step(core, answer(2, source, 1));
  CHECK(core.chain().height() == LedgerCore::sync_batch);
  CHECK(grants(twice).empty());  // still 44 blocks behind node 2
  CHECK(error_logs(twice) == 0);

  Outbox rest = step(core, answer(2, source, LedgerCore::sync_batch + 1));
  CHECK(core.chain().height() == 300);
  CHECK(grants(rest).size() == 1);
}

TEST_CASE("ledger catch-up: a peer that answers short of what it announced stops being asked") {
  // Node 2 claims 5 blocks but holds 3. Answer whatever it is asked until the core stops asking.
  const Chain holds = peer_chain(3);
  LedgerCore core(1, Chain(genesis()));
  std::vector<Ask> pending = asks(step(core, PeerHeight{2, 5}));
  std::size_t granted = grants(step(core, kGrant)).size();
  std::size_t rounds = 0;
  while (!pending.empty() && rounds < 10) {
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].to == 2);
    Outbox out =
        step(core, PeerIn{2, 30, BlocksMsg{holds.range(pending[0].from, LedgerCore::sync_batch), 5, kClaimed, pending[0].from}});
    granted += grants(out).size();
    pending = asks(out);
    ++rounds;
  }
  CHECK(pending.empty());
  CHECK(rounds <= 2);
  CHECK(core.chain().height() == 3);
  CHECK(granted == 1);  // no one can give us more: the grant goes on
}

TEST_CASE("ledger catch-up: a peer that answers with nothing stops being asked") {
  LedgerCore core(1, Chain(genesis()));
  step(core, PeerHeight{2, 5});
  step(core, kGrant);
  Outbox out = step(core, PeerIn{2, 30, BlocksMsg{{}, 5, kClaimed, 1}});
  CHECK(asks(out).empty());
  CHECK(grants(out).size() == 1);
  CHECK(core.chain().height() == 0);
}

TEST_CASE("ledger catch-up: a peer that answers with a bad block stops being asked - another peer fills in") {
  const Chain source = peer_chain(5);
  std::vector<Block> bad = source.range(1, 10);
  bad[2].tx->amount = 6;  // block 3 no longer matches its hash

  LedgerCore core(1, Chain(genesis()));
  REQUIRE(asks(step(core, PeerHeight{2, 5})) == std::vector<Ask>{{2, 1}});
  step(core, PeerHeight{3, 5});  // node 3 is as high, but node 2 is being asked
  CHECK(grants(step(core, kGrant)).empty());

  Outbox out = step(core, PeerIn{2, 30, BlocksMsg{bad, 5, source.head(), 1}});
  CHECK(core.chain().height() == 2);
  CHECK(error_logs(out) == 1);
  CHECK(grants(out).empty());
  CHECK(asks(out) == std::vector<Ask>{{3, 3}});  // not node 2 again

  Outbox filled = step(core, answer(3, source, 3));
  CHECK(core.chain().height() == 5);
  CHECK(core.chain().head() == source.head());
  CHECK(grants(filled).size() == 1);
  CHECK(asks(filled).empty());
}

TEST_CASE("ledger catch-up: with a bad block from the only higher peer, the asking ends") {
  const Chain source = peer_chain(5);
  std::vector<Block> bad = source.range(1, 10);
  bad[0].hash[5] = bad[0].hash[5] == 'a' ? 'b' : 'a';
  LedgerCore core(1, Chain(genesis()));
  step(core, PeerHeight{2, 5});
  step(core, kGrant);
  Outbox out = step(core, PeerIn{2, 30, BlocksMsg{bad, 5, source.head(), 1}});
  CHECK(core.chain().height() == 0);
  CHECK(asks(out).empty());
  CHECK(grants(out).size() == 1);
  // Nor later, when the next grant comes.
  CHECK(asks(step(core, kGrant)).empty());
}

TEST_CASE("ledger catch-up: SyncMsg is answered with blocks from that index, at most sync_batch, and our height") {
  const Chain source = peer_chain(300);
  LedgerCore core(1, Chain(genesis()));
  step(core, ApplyBlocks{2, 5, source.range(1, UINT64_MAX)});
  REQUIRE(core.chain().height() == 300);

  struct Row {
    std::uint64_t from;
    std::size_t n;
  };
  for (const Row& r : {Row{0, LedgerCore::sync_batch}, Row{1, LedgerCore::sync_batch}, Row{45, LedgerCore::sync_batch},
                       Row{100, 201}, Row{300, 1}, Row{301, 0}, Row{5000, 0}}) {
    CAPTURE(r.from);
    Outbox out = step(core, PeerIn{3, 50, SyncMsg{r.from}});
    REQUIRE(out.size() == 1);
    CHECK(out[0].to == Actor::mutex);
    const auto* p = std::get_if<PeerOut>(&out[0].msg);
    REQUIRE(p);
    CHECK(p->to == 3);
    const auto* b = std::get_if<BlocksMsg>(&p->body);
    REQUIRE(b);
    CHECK(b->height == 300);
    CHECK(b->head == source.head());
    CHECK(b->from == r.from);
    CHECK(b->blocks == source.range(r.from, LedgerCore::sync_batch));
    CHECK(b->blocks.size() == r.n);
    if (r.n) CHECK(b->blocks.front().index == r.from);
  }
  CHECK(core.chain().height() == 300);  // serving changes nothing
}

TEST_CASE("ledger catch-up: a grant while not behind passes straight through") {
  LedgerCore core(1, Chain(genesis()));
  CHECK(step(core, PeerHeight{3, 0}).empty());  // a peer no higher than us
  Outbox out = step(core, kGrant);
  CHECK(out.size() == 2);  // the (empty) release and the end of the entry
  auto g = grants(out);
  REQUIRE(g.size() == 1);
  CHECK(g[0].req == kGrant.req);

  // Caught up with a peer that was ahead: the next grant passes straight through too.
  const Chain source = peer_chain(4);
  step(core, PeerHeight{2, 4});
  step(core, answer(2, source, 1));
  REQUIRE(core.chain().height() == 4);
  Outbox later = step(core, Granted{{20, 1}, 21});
  CHECK(later.size() == 2);
  CHECK(grants(later).size() == 1);
}

TEST_CASE("ledger catch-up: LocalHeight goes to the mutex after own appends and after peer blocks") {
  LedgerCore core(1, Chain(genesis()));
  auto heights = [](const Outbox& out) {
    std::vector<std::uint64_t> h;
    for (const auto& l : sent<LocalHeight>(out, Actor::mutex)) h.push_back(l.height);
    CHECK(count<LocalHeight>(out) == h.size());
    return h;
  };

  // Own appends: the height after the batch.
  Outbox own = enter(core, {5, 1}, 6, {{"1-1", 1, 2, 100, 0}, {"1-2", 1, 3, 100, 0}});
  CHECK(heights(own) == std::vector<std::uint64_t>{2});
  // Nothing appended (all aborted): no new height.
  CHECK(heights(enter(core, {7, 1}, 8, {{"1-3", 1, 2, 999999, 0}})).empty());

  // Peer blocks with a release.
  Chain mirror(genesis());
  for (const Block& b : core.chain().range(1, 10)) REQUIRE_FALSE(mirror.append(b));
  Block b3 = mirror.next_block({"2-1", 2, 3, 50, 9});
  REQUIRE_FALSE(mirror.append(b3));
  CHECK(heights(step(core, ApplyBlocks{2, 10, {b3}})) == std::vector<std::uint64_t>{3});
  // A block refused, or one ahead of a gap: no new height.
  Block far = mirror.next_block({"3-1", 3, 1, 50, 11});
  far.index = 50;
  CHECK(heights(step(core, ApplyBlocks{3, 11, {far}})).empty());
  Block wrong = mirror.next_block({"3-1", 3, 1, 50, 11});
  wrong.tx->amount = 1;
  CHECK(heights(step(core, ApplyBlocks{3, 11, {wrong}})).empty());
  REQUIRE(core.chain().height() == 3);

  // Peer blocks fetched to catch up.
  Block b4 = mirror.next_block({"3-2", 3, 1, 70, 12});
  REQUIRE_FALSE(mirror.append(b4));
  Block b5ok = mirror.next_block({"2-2", 2, 1, 70, 13});
  REQUIRE_FALSE(mirror.append(b5ok));
  step(core, PeerHeight{2, 5});
  CHECK(heights(step(core, answer(2, mirror, 4))) == std::vector<std::uint64_t>{5});
  CHECK(core.chain().height() == 5);

  // Node 3's early block named blocks up to 49 that it turns out not to have: a grant waits
  // for them until node 3, asked a tick later, answers that it has nothing more.
  step(core, Tick{50});
  REQUIRE(asks(step(core, Tick{100})) == std::vector<Ask>{{3, 6}});
  step(core, PeerIn{3, 14, BlocksMsg{{}, 5, core.chain().head(), 6}});

  // The height goes out after the blocks are appended: it comes after their commit lines.
  Outbox more = enter(core, {20, 1}, 21, {{"1-4", 1, 2, 10, 0}});
  std::size_t commit_at = more.size(), height_at = more.size();
  for (std::size_t i = 0; i < more.size(); ++i) {
    if (const auto* l = std::get_if<LogOut>(&more[i].msg); l && l->event == "commit") commit_at = i;
    if (std::holds_alternative<LocalHeight>(more[i].msg)) height_at = i;
  }
  REQUIRE(height_at < more.size());
  CHECK(commit_at < height_at);
  CHECK(std::get<LocalHeight>(more[height_at].msg).height == 6);
}

TEST_CASE("ledger catch-up: a height heard in a request or reply is asked for only if still ahead a full tick later") {
  Chain source = peer_chain(6);
  SUBCASE("the release comes in time: nothing is fetched twice") {
    LedgerCore core(1, Chain(genesis()));
    CHECK(asks(step(core, PeerHeight{2, 3, false, true})).empty());
    Outbox grant = step(core, kGrant);
    CHECK(grants(grant).empty());  // held: we are behind a height we heard of
    CHECK(asks(step(core, Tick{50})).empty());
    // The release that carries blocks 1..3 arrives (through the mutex, from node 3).
    Outbox applied = step(core, ApplyBlocks{3, 20, source.range(1, 3)});
    CHECK(grants(applied).size() == 1);
    CHECK(asks(step(core, Tick{100})).empty());
    CHECK(asks(step(core, Tick{150})).empty());
  }
  SUBCASE("it never comes: asked at the second tick, and the grant follows the answer") {
    LedgerCore core(1, Chain(genesis()));
    CHECK(asks(step(core, PeerHeight{2, 3, false, true})).empty());
    CHECK(grants(step(core, kGrant)).empty());
    CHECK(asks(step(core, Tick{50})).empty());  // heard since the last tick: not yet
    CHECK(asks(step(core, Tick{100})) == std::vector<Ask>{{2, 1}});
    Outbox got = step(core, answer(2, source, 1));
    CHECK(core.chain().height() == 6);
    CHECK(grants(got).size() == 1);
  }
  SUBCASE("a gap before an early block is a hint too") {
    LedgerCore core(1, Chain(genesis()));
    CHECK(asks(step(core, ApplyBlocks{2, 20, source.range(4, 1)})).empty());
    CHECK(core.chain().height() == 0);
    CHECK(asks(step(core, Tick{50})).empty());
    CHECK(asks(step(core, Tick{100})) == std::vector<Ask>{{2, 1}});
  }
  SUBCASE("a hello's height is asked for at once") {
    LedgerCore core(1, Chain(genesis()));
    CHECK(asks(step(core, PeerHeight{2, 3, false, false})) == std::vector<Ask>{{2, 1}});
  }
}
