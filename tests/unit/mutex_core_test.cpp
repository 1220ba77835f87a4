// MutexCore: entry, withdrawals, status and errors checked by hand, and seeded three-node schedules;
// the longer step-by-step scenarios are trace files under traces/mutex/ (mutex_trace_test.cpp).
#include "actors/mutex/mutex_core.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core_outputs.hpp"
#include "seeded_rng.hpp"

using namespace bank;
using bank::unit::all_of;
using bank::unit::step;

namespace {

template <class T>
std::vector<T> bodies(const Outbox& out) {
  std::vector<T> found;
  for (const auto& [to, p] : all_of<PeerOut>(out)) {
    CHECK(to == Actor::network);
    if (const T* t = std::get_if<T>(&p.body)) found.push_back(*t);
  }
  return found;
}

bool granted(const Outbox& out) { return !all_of<Granted>(out).empty(); }

std::vector<std::string> log_events(const Outbox& out) {
  std::vector<std::string> events;
  for (const auto& [to, l] : all_of<LogOut>(out)) {
    CHECK(to == Actor::log);
    events.push_back(l.event);
  }
  return events;
}

PeerIn from_peer(NodeId from, Lamport lamport, PeerBody body) { return PeerIn{from, lamport, std::move(body)}; }

Block block(std::uint64_t index, const std::string& txid) {
  Block b;
  b.index = index;
  b.tx = Tx{txid, 1, 2, 100, 0};
  return b;
}

// A core that every peer has greeted with `lamport`.
MutexCore greeted(NodeId self, std::vector<NodeId> peers, Lamport lamport = 0) {
  MutexCore m(self, peers);
  for (NodeId p : peers) step(m, LinkUp{p, lamport, false});
  return m;
}

// Hand-wired cluster: per ordered pair a FIFO channel; PeerOut of one core becomes PeerIn of another.
struct Cluster {
  std::map<NodeId, MutexCore> cores;
  std::map<std::pair<NodeId, NodeId>, std::deque<PeerIn>> links;  // (from, to) -> in flight
  std::map<NodeId, std::vector<ApplyBlocks>> applied;
  std::vector<Stamp> entries;  // grants in the order they happened
  std::map<std::uint64_t, NodeId> released;  // block index -> the node that released it
  int overlaps = 0;            // steps after which two cores held at once

  explicit Cluster(std::vector<NodeId> ids, MutexCore::EntryRule rule = &MutexCore::lamport_rule) {
    for (NodeId id : ids) {
      std::vector<NodeId> peers;
      for (NodeId p : ids)
        if (p != id) peers.push_back(p);
      cores.emplace(id, MutexCore(id, peers, rule));
    }
    for (NodeId id : ids)
      for (NodeId p : ids)
        if (p != id) input(id, LinkUp{p, 0, false});
  }

  MutexCore& at(NodeId id) { return cores.at(id); }

  Outbox input(NodeId id, const BusMessage& msg) {
    Outbox out = step(at(id), msg);
    for (const auto& [to, p] : all_of<PeerOut>(out)) links[{id, p.to}].push_back(PeerIn{id, p.lamport, p.body});
    for (const auto& [to, g] : all_of<Granted>(out)) entries.push_back(g.req);
    for (const auto& [to, a] : all_of<ApplyBlocks>(out)) applied[id].push_back(a);
    int holding = 0;
    for (const auto& [n, c] : cores) holding += c.holding();
    if (holding > 1) ++overlaps;
    return out;
  }

  // Deliver the oldest message in flight from `from` to `to`.
  Outbox deliver(NodeId from, NodeId to) {
    auto& q = links[{from, to}];
    REQUIRE_FALSE(q.empty());
    PeerIn p = q.front();
    q.pop_front();
    return input(to, p);
  }

  std::vector<std::pair<NodeId, NodeId>> busy_links() const {
    std::vector<std::pair<NodeId, NodeId>> busy;
    for (const auto& [k, q] : links)
      if (!q.empty()) busy.push_back(k);
    return busy;
  }
};

using Rng = bank::unit::SeededRng;

// Three nodes each want the critical section `rounds` times; messages are delivered in a seeded
// order (FIFO per link) and a holder releases with one block after a seeded delay.
Cluster three_node_schedule(std::uint64_t seed, MutexCore::EntryRule rule, int rounds) {
  Cluster c({1, 2, 3}, rule);
  Rng rng{seed};
  std::map<NodeId, int> left{{1, rounds}, {2, rounds}, {3, rounds}};
  std::map<NodeId, int> hold_for;
  std::uint64_t next_index = 1;
  for (auto& [id, n] : left) {
    c.input(id, Acquire{});
    --n;
  }
  for (int step = 0; step < 100000; ++step) {
    std::vector<NodeId> holders;
    for (auto& [id, core] : c.cores)
      if (core.holding()) holders.push_back(id);
    auto busy = c.busy_links();
    if (busy.empty() && holders.empty()) break;
    // Either let a holder leave (once its delay ran out) or deliver one message.
    bool released = false;
    for (NodeId h : holders) {
      if (hold_for[h]-- > 0 && !busy.empty()) continue;
      MutexCore& core = c.at(h);
      Stamp req = *core.own();
      if (left[h] > 0 && rng.below(2) == 0) {
        c.input(h, Acquire{});  // wanted again before our own release went out
        --left[h];
      }
      c.released[next_index] = h;
      c.input(h, Release{req, {block(next_index++, "n" + std::to_string(h))}});
      if (left[h] > 0 && !core.wanted() && core.state() == MutexCore::State::idle) {
        c.input(h, Acquire{});
        --left[h];
      }
      hold_for[h] = static_cast<int>(rng.below(4));
      released = true;
      break;
    }
    if (released) continue;
    auto [from, to] = busy[rng.below(busy.size())];
    c.deliver(from, to);
    for (auto& [id, core] : c.cores)
      if (core.holding() && !hold_for.contains(id)) hold_for[id] = static_cast<int>(rng.below(4));
  }
  return c;
}

}  // namespace

TEST_CASE("mutex core: entry needs a later stamp from every peer") {
  MutexCore m = greeted(1, {2, 3});
  step(m, Acquire{});
  Stamp own = *m.own();

  auto out = step(m, from_peer(2, own.ts + 1, ReplyMsg{own}));
  CHECK_FALSE(granted(out));
  CHECK(m.silent() == std::vector<NodeId>{3});

  // A message from 3 stamped before our request does not count.
  out = step(m, from_peer(3, own.ts - 1, HeartbeatMsg{}));
  CHECK_FALSE(granted(out));
  CHECK_FALSE(m.heard_after_own(3));

  out = step(m, from_peer(3, own.ts + 1, ReplyMsg{own}));
  CHECK(granted(out));
  CHECK(m.holding());
  CHECK(m.silent().empty());

  // A second grant never follows.
  out = step(m, from_peer(3, own.ts + 5, ReplyMsg{own}));
  CHECK_FALSE(granted(out));
}

TEST_CASE("mutex core: a reply from a peer whose earlier request is still ahead does not let us in") {
  MutexCore m = greeted(1, {2});          // clock 1
  step(m, from_peer(2, 1, RequestMsg{{1, 2}}));  // clock 2, reply stamped 3
  step(m, Acquire{});
  REQUIRE(*m.own() == Stamp{4, 1});

  auto out = step(m, from_peer(2, 5, ReplyMsg{{4, 1}}));
  CHECK(m.heard_after_own(2));
  CHECK_FALSE(granted(out));
  CHECK(m.state() == MutexCore::State::requested);

  // Node 2 leaves with a block: it is applied, then we enter; the ledger must see them in that order.
  Block b = block(1, "t2");
  out = step(m, from_peer(2, 6, ReleaseMsg{{1, 2}, {b}}));
  REQUIRE(out.size() >= 2);
  std::size_t apply_at = out.size(), grant_at = out.size();
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (std::holds_alternative<ApplyBlocks>(out[i].msg)) apply_at = i;
    if (std::holds_alternative<Granted>(out[i].msg)) grant_at = i;
  }
  REQUIRE(apply_at < out.size());
  REQUIRE(grant_at < out.size());
  CHECK(apply_at < grant_at);
  CHECK(out[apply_at].to == Actor::ledger);
  const auto& a = std::get<ApplyBlocks>(out[apply_at].msg);
  CHECK(a.from == 2);
  CHECK(a.blocks == std::vector<Block>{b});
  CHECK(m.holding());
}

TEST_CASE("mutex core: withdraw names a peer whose request is ahead of ours, though it replied") {
  MutexCore m = greeted(1, {2, 3});
  step(m, from_peer(2, 1, RequestMsg{{1, 2}}));
  step(m, Acquire{});
  Stamp own = *m.own();
  step(m, from_peer(2, own.ts + 1, ReplyMsg{own}));
  step(m, from_peer(3, own.ts + 1, ReplyMsg{own}));
  REQUIRE_FALSE(m.holding());
  auto w = all_of<Withdrawn>(step(m, Withdraw{}));
  REQUIRE(w.size() == 1);
  CHECK(w[0].second.silent == std::vector<NodeId>{2});
}

TEST_CASE("mutex core: withdraw does not name a peer whose request ahead of ours is released - only the one it waits behind") {
  MutexCore m = greeted(1, {2, 3});
  step(m, from_peer(3, 1, RequestMsg{{1, 3}}));   // node 3 stalls everyone: never released
  step(m, from_peer(2, 3, RequestMsg{{2, 2}}));
  step(m, from_peer(2, 4, ReleaseMsg{{2, 2}, {}}));  // node 2 withdrew: its release waits behind 3's
  step(m, Acquire{});
  Stamp own = *m.own();
  step(m, from_peer(2, own.ts + 1, ReplyMsg{own}));
  step(m, from_peer(3, own.ts + 1, ReplyMsg{own}));
  CHECK(m.queue().size() == 3);
  auto w = all_of<Withdrawn>(step(m, Withdraw{}));
  REQUIRE(w.size() == 1);
  CHECK(w[0].second.silent == std::vector<NodeId>{3});
}

TEST_CASE("mutex core: withdraw takes our own request out of the queue and leaves every peer's, ahead or behind") {
  MutexCore m = greeted(1, {2, 3});
  step(m, from_peer(3, 1, RequestMsg{{1, 3}}));  // ahead of ours: the queue's head
  step(m, Acquire{});
  const Stamp own = *m.own();
  step(m, from_peer(2, own.ts + 1, RequestMsg{{own.ts + 1, 2}}));  // behind ours
  REQUIRE(m.queue().size() == 3);
  const auto out = step(m, Withdraw{});
  CHECK(m.queue() == std::set<Stamp>{{1, 3}, {own.ts + 1, 2}});
  CHECK_FALSE(m.own());
  // Each peer is told, with a release of our request that carries no blocks.
  const auto releases = bodies<ReleaseMsg>(out);
  REQUIRE(releases.size() == 2);
  for (const auto& r : releases) {
    CHECK(r.req == own);
    CHECK(r.blocks.empty());
  }
  // Node 3's request heads the queue still: when it is released, node 2's is next.
  step(m, from_peer(3, own.ts + 2, ReleaseMsg{{1, 3}, {}}));
  CHECK(m.queue() == std::set<Stamp>{{own.ts + 1, 2}});
}

TEST_CASE("mutex core: a peer's height from its heartbeat goes on to the ledger, unless the peer diverged") {
  MutexCore m = greeted(1, {2, 3});
  auto fwd = all_of<PeerHeight>(step(m, PeerHeight{.peer = 2, .height = 9, .restarted = false, .hint = true, .head = {}}));
  REQUIRE(fwd.size() == 1);
  CHECK(fwd[0].first == Actor::ledger);
  CHECK(fwd[0].second.height == 9);
  step(m, Diverged{{3, 4}});
  CHECK(all_of<PeerHeight>(step(m, PeerHeight{.peer = 3, .height = 9, .restarted = false, .hint = true, .head = {}})).empty());
}

TEST_CASE("mutex core: a peer whose link is down counts as silent") {
  MutexCore m = greeted(1, {2, 3});
  step(m, Acquire{});
  Stamp own = *m.own();
  step(m, from_peer(2, own.ts + 1, ReplyMsg{own}));
  step(m, LinkDown{2});
  CHECK_FALSE(m.link_up(2));
  auto out = step(m, Withdraw{});
  auto w = all_of<Withdrawn>(out);
  REQUIRE(w.size() == 1);
  CHECK(w[0].second.silent == std::vector<NodeId>{2, 3});
}

TEST_CASE("mutex core: with a peer known down, Acquire is answered at once, unreachable, and nothing is sent - until it is up again") {
  MutexCore m = greeted(1, {2, 3});
  step(m, LinkDown{3});
  auto out = step(m, Acquire{});
  CHECK(all_of<PeerOut>(out).empty());
  CHECK(m.state() == MutexCore::State::idle);
  CHECK_FALSE(m.wanted());
  auto w = all_of<Withdrawn>(out);
  REQUIRE(w.size() == 1);
  CHECK(w[0].second.silent == std::vector<NodeId>{3});
  CHECK(w[0].second.unreachable);
  // A refused link counts too.
  step(m, LinkRefused{2, "another genesis"});
  w = all_of<Withdrawn>(step(m, Acquire{}));
  REQUIRE(w.size() == 1);
  CHECK(w[0].second.silent == std::vector<NodeId>{2, 3});
  // Back up (a greeting each): requests go out again.
  step(m, LinkUp{2, 0, false, 0, 1, "", true});
  step(m, LinkUp{3, 0, false, 0, 1, "", true});
  out = step(m, Acquire{});
  CHECK(all_of<Withdrawn>(out).empty());
  CHECK(m.state() == MutexCore::State::requested);
  CHECK(bodies<RequestMsg>(out).size() == 2);
}

TEST_CASE("mutex core: a peer never heard since start is not known down - Acquire waits for it") {
  MutexCore m(1, {2, 3});
  step(m, LinkUp{2, 0, false, 0, 1, "", true});
  auto out = step(m, Acquire{});
  CHECK(all_of<Withdrawn>(out).empty());
  CHECK(m.wanted());
}

TEST_CASE("mutex core: withdraw before any request was stamped answers at once and sends nothing") {
  MutexCore m(1, {2, 3});
  step(m, LinkUp{2, 0, false});
  step(m, Acquire{});
  REQUIRE(m.wanted());
  auto out = step(m, Withdraw{});
  CHECK(all_of<PeerOut>(out).empty());
  auto w = all_of<Withdrawn>(out);
  REQUIRE(w.size() == 1);
  CHECK(w[0].second.silent == std::vector<NodeId>{3});
  CHECK_FALSE(m.wanted());
  // The last greeting no longer turns into a request.
  out = step(m, LinkUp{3, 0, false});
  CHECK(all_of<PeerOut>(out).empty());
  CHECK(m.state() == MutexCore::State::idle);

  // With nothing wanted, Withdraw is void.
  CHECK(step(m, Withdraw{}).empty());
}

TEST_CASE("mutex core: withdraw after the grant is void") {
  MutexCore m = greeted(1, {2});
  step(m, Acquire{});
  Stamp own = *m.own();
  REQUIRE(granted(step(m, from_peer(2, own.ts + 1, ReplyMsg{own}))));
  CHECK(step(m, Withdraw{}).empty());
  CHECK(m.holding());
  CHECK(m.queue().contains(own));
  // The grant stands and ends with an ordinary release.
  auto out = step(m, Release{own, {}});
  CHECK(bodies<ReleaseMsg>(out).size() == 1);
  CHECK(m.state() == MutexCore::State::idle);
}

TEST_CASE("mutex core: status fills lamport, queue and peers and passes the rest on to the ledger") {
  MutexCore m(1, {3, 2});
  step(m, LinkUp{2, 7, false});
  step(m, from_peer(2, 9, RequestMsg{{9, 2}}));
  StatusQuery q;
  q.client = 42;
  q.reply.height = 5;
  q.reply.head = "abc";
  auto out = step(m, q);
  auto s = all_of<StatusQuery>(out);
  REQUIRE(out.size() == 1);
  REQUIRE(s.size() == 1);
  CHECK(s[0].first == Actor::ledger);
  const StatusReply& r = s[0].second.reply;
  CHECK(s[0].second.client == 42);
  CHECK(r.id == 1);
  CHECK(r.lamport == m.clock());
  CHECK(r.queue == std::vector<Stamp>{{9, 2}});
  CHECK(r.peers == std::vector<PeerState>{{2, true, ""}, {3, false, ""}});
  CHECK(r.height == 5);
  CHECK(r.head == "abc");
}

TEST_CASE("mutex core: a refused link shows in status with its reason until the peer comes up") {
  MutexCore m = greeted(1, {2, 3});
  CHECK(step(m, LinkRefused{3, "another genesis"}).empty());
  CHECK_FALSE(m.link_up(3));
  auto status = [&] {
    auto s = all_of<StatusQuery>(step(m, StatusQuery{}));
    REQUIRE(s.size() == 1);
    return s[0].second.reply.peers;
  };
  CHECK(status() == std::vector<PeerState>{{2, true, ""}, {3, false, "another genesis"}});
  step(m, LinkUp{3, 0, false});
  CHECK(status() == std::vector<PeerState>{{2, true, ""}, {3, true, ""}});
}

TEST_CASE("mutex core: a peer's release for a request not in the queue is an error and changes nothing") {
  MutexCore m = greeted(1, {2, 3});
  step(m, from_peer(2, 4, RequestMsg{{4, 2}}));
  auto queue_before = m.queue();

  SUBCASE("unknown request, no blocks") {
    auto out = step(m, from_peer(2, 6, ReleaseMsg{{5, 2}, {}}));
    REQUIRE(out.size() == 1);
    CHECK(out[0].to == Actor::log);
    CHECK(log_events(out) == std::vector<std::string>{"error"});
    CHECK(std::get<LogOut>(out[0].msg).fields.contains("error"));
  }
  SUBCASE("unknown request with blocks: refused, but the ledger learns it must fetch them") {
    // Typically the release of a section our previous incarnation granted, sent to us after a
    // restart; the peer's hello may have announced a height from before those blocks.
    auto out = step(m, from_peer(2, 6, ReleaseMsg{{5, 2}, {block(8, "x"), block(9, "y")}}));
    REQUIRE(out.size() == 2);
    CHECK(log_events(out) == std::vector<std::string>{"error"});
    CHECK(all_of<ApplyBlocks>(out).empty());
    auto h = all_of<PeerHeight>(out);
    REQUIRE(h.size() == 1);
    CHECK(h[0].first == Actor::ledger);
    CHECK(h[0].second.peer == 2);
    CHECK(h[0].second.height == 9);
  }
  SUBCASE("another node's request") {
    auto out = step(m, from_peer(3, 6, ReleaseMsg{{4, 2}, {block(1, "x")}}));
    REQUIRE(out.size() == 1);
    CHECK(log_events(out) == std::vector<std::string>{"error"});
  }
  CHECK(m.queue() == queue_before);
  CHECK(m.state() == MutexCore::State::idle);
  // The request it named still waits for its own release, which then applies normally.
  auto out = step(m, from_peer(2, 8, ReleaseMsg{{4, 2}, {block(1, "y")}}));
  CHECK(all_of<ApplyBlocks>(out).size() == 1);
  CHECK(m.queue().empty());
}

TEST_CASE("mutex core: a peer's request in another node's name is not queued or answered") {
  MutexCore m = greeted(1, {2, 3});
  auto out = step(m, from_peer(2, 4, RequestMsg{{4, 3}}));
  CHECK(all_of<PeerOut>(out).empty());
  CHECK(m.queue().empty());
}

TEST_CASE("mutex core: three nodes under seeded schedules never overlap and enter in stamp order") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    Cluster c = three_node_schedule(seed, &MutexCore::lamport_rule, 3);
    CHECK(c.overlaps == 0);
    REQUIRE(c.entries.size() == 9);
    for (std::size_t i = 1; i < c.entries.size(); ++i) CHECK(c.entries[i - 1] < c.entries[i]);
    for (auto& [id, core] : c.cores) {
      CHECK(core.queue().empty());
      CHECK(core.state() == MutexCore::State::idle);
      CHECK_FALSE(core.wanted());
      // Every other node's blocks arrive exactly once. Not necessarily in entry order: a
      // release can overtake a request still in flight from a third node (the ledger buffers
      // blocks ahead of a gap); the deterministic tests above cover the order for known requests.
      std::multiset<std::pair<NodeId, std::uint64_t>> got, expected;
      for (const auto& a : c.applied[id])
        for (const auto& b : a.blocks) got.insert({a.from, b.index});
      for (const auto& [index, who] : c.released)
        if (who != id) expected.insert({who, index});
      CHECK(got == expected);
    }
  }
}

TEST_CASE("mutex core: the seeded schedules catch an entry rule that ignores the queue") {
  // Enter on a later stamp from every peer alone: a node can overtake an earlier request.
  auto replies_only = [](const MutexCore& m) {
    for (NodeId p : m.peers())
      if (!m.heard_after_own(p)) return false;
    return true;
  };
  int overlapping = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) overlapping += three_node_schedule(seed, replies_only, 3).overlaps > 0;
  CHECK(overlapping > 0);
}


TEST_CASE("mutex core: a diverged peer is cut off - its messages dropped, nothing sent to it, no entry") {
  MutexCore m = greeted(1, {2, 3});
  // Node 2's request is queued ahead of ours; then the ledger finds node 2's chain diverged.
  step(m, from_peer(2, 5, RequestMsg{{4, 2}, 0}));
  step(m, Acquire{});
  Stamp own = *m.own();
  step(m, from_peer(3, own.ts + 1, ReplyMsg{own, 0}));
  Outbox cut = step(m, Diverged{{2, 7}});
  CHECK(m.diverged() == std::set<NodeId>{2});
  CHECK(m.queue() == std::set<Stamp>{own});  // its request is gone
  CHECK_FALSE(granted(cut));                // and still no entry: every entry needs every peer

  // Its messages change nothing: no clock, no queue, no entry, nothing passed on.
  const Lamport before = m.clock();
  Outbox dropped = step(m, from_peer(2, own.ts + 50, ReplyMsg{own, 0}));
  CHECK(dropped.empty());
  CHECK(m.clock() == before);
  CHECK(step(m, from_peer(2, own.ts + 51, ReleaseMsg{{4, 2}, {block(1, "2-1")}})).empty());
  // Only its sync goes on (to the ledger, which answers: reading changes nothing), and the
  // answer is the one message that still goes to it.
  auto sync = all_of<PeerIn>(step(m, from_peer(2, own.ts + 52, SyncMsg{1})));
  REQUIRE(sync.size() == 1);
  CHECK(sync[0].first == Actor::ledger);
  CHECK(bodies<BlocksMsg>(step(m, PeerOut{2, 0, BlocksMsg{{}, 0, "", 1}})).size() == 1);

  // Nothing goes to it: a withdrawal's release reaches node 3 only, and names node 2.
  Outbox w = step(m, Withdraw{});
  for (const auto& [to, p] : all_of<PeerOut>(w)) CHECK(p.to == 3);
  CHECK(bodies<ReleaseMsg>(w).size() == 1);
  auto withdrawn = all_of<Withdrawn>(w);
  REQUIRE(withdrawn.size() == 1);
  CHECK(withdrawn[0].second.silent == std::vector<NodeId>{2});
  // A new request goes to node 3 alone and is never granted, whatever node 3 says.
  Outbox again = step(m, Acquire{});
  REQUIRE(bodies<RequestMsg>(again).size() == 1);
  Stamp next = *m.own();
  CHECK_FALSE(granted(step(m, from_peer(3, next.ts + 1, ReplyMsg{next, 0}))));
}

TEST_CASE("mutex core: a diverged peer's queued request no longer holds back a healthy peer's release") {
  MutexCore m = greeted(1, {2, 3});
  step(m, from_peer(2, 5, RequestMsg{{4, 2}, 0}));
  step(m, from_peer(3, 7, RequestMsg{{6, 3}, 0}));
  CHECK(all_of<ApplyBlocks>(step(m, from_peer(3, 9, ReleaseMsg{{6, 3}, {block(1, "3-1")}}))).empty());  // waits behind 2's
  auto applied = all_of<ApplyBlocks>(step(m, Diverged{{2, 1}}));
  REQUIRE(applied.size() == 1);
  CHECK(applied[0].second.from == 3);
}

TEST_CASE("mutex core: a link up without a greeting does not count - the greeting does, and lifts the clock") {
  MutexCore m(1, {2});
  step(m, Acquire{});
  // Up on a hello that was addressed to an earlier incarnation of ours: no request yet.
  auto out = step(m, LinkUp{2, 40, false, 0, 7, {}, false});
  CHECK(bodies<RequestMsg>(out).empty());
  CHECK(m.wanted());
  CHECK(m.link_up(2));
  out = step(m, LinkUp{2, 90, false, 0, 7, {}, true});
  auto requests = bodies<RequestMsg>(out);
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].req.ts > 90);
}

TEST_CASE("mutex core: a peer's new request replaces its unreleased old one - a released one waits its turn") {
  MutexCore m = greeted(1, {2, 3});
  step(m, from_peer(2, 5, RequestMsg{{4, 2}, 0}));
  step(m, from_peer(2, 9, RequestMsg{{8, 2}, 0}));
  CHECK(m.queue() == std::set<Stamp>{{8, 2}});
  // The same request again (re-sent after a restart) is still one.
  step(m, from_peer(2, 10, RequestMsg{{8, 2}, 0}));
  CHECK(m.queue() == std::set<Stamp>{{8, 2}});

  // 3's earlier request heads the queue: 2's release waits behind it, and 2's next request
  // joins its released one instead of replacing it.
  step(m, from_peer(3, 4, RequestMsg{{3, 3}, 0}));
  auto out = step(m, from_peer(2, 12, ReleaseMsg{{8, 2}, {block(1, "2-1")}}));
  CHECK(all_of<ApplyBlocks>(out).empty());
  step(m, from_peer(2, 14, RequestMsg{{13, 2}, 0}));
  CHECK(m.queue() == std::set<Stamp>{{3, 3}, {8, 2}, {13, 2}});
  // 3 releases: both releases apply, in queue order, and 2's new request stays.
  out = step(m, from_peer(3, 15, ReleaseMsg{{3, 3}, {}}));
  auto applied = all_of<ApplyBlocks>(out);
  REQUIRE(applied.size() == 1);
  CHECK(applied[0].second.from == 2);
  CHECK(m.queue() == std::set<Stamp>{{13, 2}});
}

TEST_CASE("mutex core: replaced requests are logged as errors - the first at once, a flood at most once a second with a count") {
  MutexCore m = greeted(1, {2, 3});
  step(m, Tick{5000});
  CHECK(bank::unit::error_logs(step(m, from_peer(2, 2, RequestMsg{{1, 2}, 0}))) == 0);
  auto out = step(m, from_peer(2, 4, RequestMsg{{3, 2}, 0}));
  auto errors = bank::unit::logs(out, "error");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].fields["error"] ==
        "node 2 sent 1 request(s) while an earlier one of its was unreleased here; each voided the one before");
  // 500 more within the second: counted, not logged; the queue keeps the newest alone.
  Lamport ts = 5;
  for (int i = 0; i < 500; ++i, ts += 2) CHECK(bank::unit::error_logs(step(m, from_peer(2, ts + 1, RequestMsg{{ts, 2}, 0}))) == 0);
  CHECK(m.queue() == std::set<Stamp>{{ts - 2, 2}});
  CHECK(bank::unit::error_logs(step(m, Tick{5999})) == 0);
  errors = bank::unit::logs(step(m, Tick{6000}), "error");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].fields["error"].get<std::string>().find("node 2 sent 500 request(s)") == 0);
  CHECK(bank::unit::error_logs(step(m, Tick{9000})) == 0);  // nothing new: nothing logged
  // Node 3 has its own count; a quiet second later, node 2's next one is logged at once.
  step(m, from_peer(3, ts + 1, RequestMsg{{ts, 3}, 0}));
  CHECK(bank::unit::error_logs(step(m, from_peer(3, ts + 3, RequestMsg{{ts + 2, 3}, 0}))) == 1);
  CHECK(bank::unit::error_logs(step(m, from_peer(2, ts + 5, RequestMsg{{ts + 4, 2}, 0}))) == 1);
  // A request sent again as it was (after a restart) replaces nothing.
  CHECK(bank::unit::error_logs(step(m, from_peer(2, ts + 6, RequestMsg{{ts + 4, 2}, 0}))) == 0);
}

TEST_CASE("mutex core: a peer's waiting releases are bounded - past the bound one is refused") {
  MutexCore m = greeted(1, {2, 3});
  step(m, from_peer(3, 2, RequestMsg{{1, 3}, 0}));  // heads the queue and never releases
  Lamport ts = 10;
  for (long i = 0; i < MutexCore::kMaxWaitingReleases; ++i, ts += 2) {
    step(m, from_peer(2, ts + 1, RequestMsg{{ts, 2}, 0}));
    auto out = step(m, from_peer(2, ts + 2, ReleaseMsg{{ts, 2}, {}}));
    CHECK(log_events(out).empty());
  }
  CHECK(m.queue().size() == 1 + static_cast<std::size_t>(MutexCore::kMaxWaitingReleases));
  step(m, from_peer(2, ts + 1, RequestMsg{{ts, 2}, 0}));
  auto out = step(m, from_peer(2, ts + 2, ReleaseMsg{{ts, 2}, {block(7, "2-7")}}));
  CHECK(log_events(out) == std::vector<std::string>{"error"});
  auto heights = all_of<PeerHeight>(out);
  REQUIRE(heights.size() == 1);  // its blocks are fetched instead
  CHECK(heights[0].second.height == 7);
  // The refused one stays unreleased, and the peer's next request replaces it.
  step(m, from_peer(2, ts + 4, RequestMsg{{ts + 3, 2}, 0}));
  CHECK(m.queue().size() == 2 + static_cast<std::size_t>(MutexCore::kMaxWaitingReleases));
  CHECK_FALSE(m.queue().contains(Stamp{ts, 2}));
  CHECK(m.queue().contains(Stamp{ts + 3, 2}));
}

namespace {
// What the mutex adds to a metrics reply on its way to the network (the last to add).
MetricsReply mutex_metrics(MutexCore& m) {
  auto out = step(m, MetricsQuery{7, {}});
  auto q = all_of<MetricsQuery>(out);
  REQUIRE(q.size() == 1);
  CHECK(q[0].first == Actor::network);
  CHECK(q[0].second.client == 7);
  return q[0].second.reply;
}
}  // namespace

TEST_CASE("mutex core: metrics count requests and entries, and time each wait and hold on the Tick's clock") {
  MutexCore m = greeted(1, {2, 3});
  step(m, Tick{1'000});  // 1 s
  step(m, Acquire{});
  Stamp own = *m.own();
  step(m, Tick{1'002});
  step(m, from_peer(2, own.ts + 1, ReplyMsg{own}));
  step(m, Tick{1'003});
  // Node 3's later request queues behind ours and is the later stamp we waited for: 3 ms.
  REQUIRE(granted(step(m, from_peer(3, own.ts + 2, RequestMsg{{own.ts + 2, 3}}))));
  step(m, Tick{1'008});
  step(m, Release{own, {}});  // held 5 ms

  auto r = mutex_metrics(m);
  const auto& c = r.metrics.counters;
  CHECK(c.at("cs_requests") == 1);
  CHECK(c.at("cs_entries") == 1);
  CHECK(c.at("cs_withdrawals") == 0);
  const auto& wait = r.metrics.histograms.at("cs_wait_us");
  CHECK(wait.count() == 1);
  CHECK(wait.sum() == 3'000);
  CHECK(wait.counts()[8] == 1);  // the bucket (2.5 ms, 5 ms]
  const auto& hold = r.metrics.histograms.at("cs_hold_us");
  CHECK(hold.count() == 1);
  CHECK(hold.sum() == 5'000);
  // Node 3's request is still queued; ours and its were queued together at most.
  CHECK(r.metrics.gauges.at("queue_depth") == 1);
  CHECK(r.metrics.gauges.at("queue_depth_max") == 2);
  CHECK(r.metrics.gauges.at("lamport") == m.clock());
}

TEST_CASE("mutex core: a withdrawn request is counted, and its wait is not") {
  MutexCore m = greeted(1, {2});
  step(m, Tick{10});
  step(m, Acquire{});
  step(m, Tick{5'010});
  REQUIRE(all_of<Withdrawn>(step(m, Withdraw{})).size() == 1);
  // Withdrawn before any request was stamped: nothing to count.
  MutexCore waiting(1, {2, 3});
  step(waiting, Acquire{});
  step(waiting, Withdraw{});

  auto r = mutex_metrics(m);
  CHECK(r.metrics.counters.at("cs_requests") == 1);
  CHECK(r.metrics.counters.at("cs_withdrawals") == 1);
  CHECK(r.metrics.counters.at("cs_entries") == 0);
  CHECK(r.metrics.histograms.at("cs_wait_us").count() == 0);
  auto none = mutex_metrics(waiting);
  CHECK(none.metrics.counters.at("cs_requests") == 0);
  CHECK(none.metrics.counters.at("cs_withdrawals") == 0);
}

TEST_CASE("mutex core: the host's time of each step gives microseconds, and time never runs back") {
  MutexCore m = greeted(1, {2});
  m.set_now_us(1'000'100);
  step(m, Acquire{});
  Stamp own = *m.own();
  m.set_now_us(1'000'350);
  REQUIRE(granted(step(m, from_peer(2, own.ts + 1, ReplyMsg{own}))));  // 250 µs
  // A Tick's millisecond (999 ms) is older than what the host gave: it changes nothing.
  step(m, Tick{999});
  m.set_now_us(1'000'400);
  step(m, Release{own, {}});  // 50 µs
  auto r = mutex_metrics(m);
  CHECK(r.metrics.histograms.at("cs_wait_us").sum() == 250);
  CHECK(r.metrics.histograms.at("cs_hold_us").sum() == 50);
}
