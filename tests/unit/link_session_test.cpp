// LinkSession: hellos, ordered delivery, acks, resends, heartbeats, liveness, genesis and incarnations.
#include "actors/network/link_session.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace bank;

namespace {

const LinkTimings kT{100, 200, 1000};
constexpr std::uint64_t kIncA = 11, kIncB = 22;

using Out = LinkSession::Output;
using Kind = LinkSession::EventKind;

RequestMsg req(Lamport ts) { return RequestMsg{{ts, 1}}; }

std::vector<std::uint64_t> seqs(const std::vector<PeerMessage>& ms) {
  std::vector<std::uint64_t> s;
  for (const auto& m : ms) s.push_back(m.seq);
  return s;
}

std::vector<Kind> kinds(const Out& o) {
  std::vector<Kind> k;
  for (const auto& e : o.events) k.push_back(e.kind);
  return k;
}

template <class T>
std::vector<PeerMessage> only(const std::vector<PeerMessage>& ms) {
  std::vector<PeerMessage> found;
  for (const auto& m : ms)
    if (std::holds_alternative<T>(m.body)) found.push_back(m);
  return found;
}

// A hello as `from` would send it.
PeerMessage hello(NodeId from, std::uint64_t inc, std::uint64_t to_inc, Lamport lamport = 0,
                  std::string genesis = "G", std::uint64_t height = 0, std::string head = "G") {
  return PeerMessage{from, lamport, inc, to_inc, 0, 0, HelloMsg{std::move(genesis), height, std::move(head)}};
}

// Deliver every frame of `frames` to `s` at `now`; returns everything `s` produced.
Out feed(LinkSession& s, const std::vector<PeerMessage>& frames, std::int64_t now) {
  Out o;
  for (const auto& m : frames) s.receive(m, now, o);
  return o;
}

// Node 1 (a) and node 2 (b), both sessions established and knowing each other, at time 0.
struct Pair {
  LinkSession a{1, 2, kIncA, "G", kT};
  LinkSession b{2, 1, kIncB, "G", kT};
  std::int64_t now = 0;

  Pair() {
    Out oa;
    a.tick(now, 1, oa);                 // a's hello, naming no one yet
    Out ob = feed(b, oa.wire, now);        // b answers with a hello naming a
    Out oa2 = feed(a, ob.wire, now);       // a now knows b, and knows b knows a; its hello names b
    feed(b, oa2.wire, now);                // b knows a knows b
    REQUIRE(a.established());
    REQUIRE(b.established());
    REQUIRE(a.up());
    REQUIRE(b.up());
  }

  // Let `from` send `n` requests (stamps base+1..base+n); returns their frames.
  std::vector<PeerMessage> send(LinkSession& from, int n, Lamport base = 0) {
    Out o;
    for (int i = 1; i <= n; ++i) from.send(req(base + static_cast<Lamport>(i)), base + static_cast<Lamport>(i), now, o);
    return o.wire;
  }
};

}  // namespace

TEST_CASE("link session: nothing goes out before the peer's hello, then the queue flushes in order") {
  LinkSession a(1, 2, kIncA, "G", kT);
  Out o;
  a.send(req(1), 5, 0, o);
  a.send(req(2), 6, 0, o);
  a.send(req(3), 7, 0, o);
  CHECK(o.wire.empty());
  CHECK(a.unacked() == 3);
  CHECK_FALSE(a.established());

  Out t;
  a.tick(10, 7, t);
  REQUIRE(t.wire.size() == 1);  // a hello only
  CHECK(std::holds_alternative<HelloMsg>(t.wire[0].body));
  CHECK(t.wire[0].to_inc == 0);
  CHECK(t.wire[0].seq == 0);

  Out r;
  a.receive(hello(2, kIncB, 0, 30, "G", 9, "H9"), 20, r);
  CHECK(a.established());
  CHECK(a.up());
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].kind == Kind::up);
  CHECK(r.events[0].lamport == 30);
  CHECK(r.events[0].height == 9);
  CHECK(r.events[0].head == "H9");
  // Our hello (naming the peer) first, then the queued requests in order, addressed to it.
  REQUIRE(r.wire.size() == 4);
  CHECK(std::holds_alternative<HelloMsg>(r.wire[0].body));
  CHECK(r.wire[0].to_inc == kIncB);
  CHECK(seqs(r.wire) == std::vector<std::uint64_t>{0, 1, 2, 3});
  for (int i = 1; i <= 3; ++i) {
    CHECK(r.wire[i].to_inc == kIncB);
    CHECK(r.wire[i].inc == kIncA);
    CHECK(r.wire[i].from == 1);
    CHECK(std::get<RequestMsg>(r.wire[i].body) == req(static_cast<Lamport>(i)));
    CHECK(r.wire[i].lamport == static_cast<Lamport>(4 + i));
  }
  CHECK(r.deliver.empty());
}

TEST_CASE("link session: hellos carry our lamport, height, head and genesis, and stop once the peer knows us") {
  LinkSession a(1, 2, kIncA, "G", kT);
  Out o;
  a.set_height(5, "H5");
  a.tick(0, 77, o);
  REQUIRE(o.wire.size() == 1);
  const auto& h = o.wire[0];
  CHECK(h.from == 1);
  CHECK(h.lamport == 77);
  CHECK(h.inc == kIncA);
  CHECK(std::get<HelloMsg>(h.body) == HelloMsg{"G", 5, "H5"});

  // Hellos repeat every heartbeat_ms until the peer answers.
  Out quiet;
  a.tick(50, 77, quiet);
  CHECK(quiet.wire.empty());
  Out again;
  a.set_height(6, "H6");
  a.tick(100, 80, again);
  REQUIRE(again.wire.size() == 1);
  CHECK(again.wire[0].lamport == 80);
  CHECK(std::get<HelloMsg>(again.wire[0].body).height == 6);
  CHECK(std::get<HelloMsg>(again.wire[0].body).head == "H6");

  // The hello sent in answer to the peer's carries the larger of our clock and theirs.
  Out r;
  a.receive(hello(2, kIncB, 0, 300), 120, r);
  auto hellos = only<HelloMsg>(r.wire);
  REQUIRE(hellos.size() == 1);
  CHECK(hellos[0].lamport == 300);
  CHECK(std::get<HelloMsg>(hellos[0].body).height == 6);
  CHECK(std::get<HelloMsg>(hellos[0].body).head == "H6");

  // Once the peer's hello names us, ticks send heartbeats, not hellos.
  Out named;
  a.receive(hello(2, kIncB, kIncA, 301), 130, named);
  Out beat;
  a.tick(400, 301, beat);
  CHECK(only<HelloMsg>(beat.wire).empty());
  CHECK(only<HeartbeatMsg>(beat.wire).size() == 1);
}

TEST_CASE("link session: delivery is in order - duplicates and gaps are dropped") {
  Pair p;
  auto frames = p.send(p.a, 4);
  REQUIRE(seqs(frames) == std::vector<std::uint64_t>{1, 2, 3, 4});

  auto o = feed(p.b, {frames[0], frames[0], frames[2], frames[3]}, p.now);
  REQUIRE(o.deliver.size() == 1);
  CHECK(o.deliver[0].seq == 1);

  o = feed(p.b, {frames[1], frames[1], frames[0], frames[2], frames[3], frames[2]}, p.now);
  CHECK(seqs(o.deliver) == std::vector<std::uint64_t>{2, 3, 4});
  for (std::size_t i = 0; i < o.deliver.size(); ++i)
    CHECK(std::get<RequestMsg>(o.deliver[i].body) == req(static_cast<Lamport>(i + 2)));
}

TEST_CASE("link session: a frame after a gap brings a nack, and the window goes again at once - once per gap") {
  Pair p;
  auto frames = p.send(p.a, 3);
  // Frame 1 is lost; 2 and 3 arrive and are dropped as a gap.
  auto o = feed(p.b, {frames[1], frames[2]}, 0);
  CHECK(o.deliver.empty());
  // b has a frame of its own to send: it carries the ack, yet the tick still says nack.
  auto own = p.send(p.b, 1, 100);
  REQUIRE(own.size() == 1);
  CHECK(own[0].ack == 0);
  Out nack;
  p.b.tick(10, 0, nack);
  REQUIRE(nack.wire.size() == 1);
  CHECK(std::holds_alternative<NackMsg>(nack.wire[0].body));
  CHECK(nack.wire[0].ack == 0);
  Out plain;
  p.b.tick(20, 0, plain);
  CHECK(only<NackMsg>(plain.wire).empty());  // said once

  Out resend = feed(p.a, nack.wire, 10);
  auto again = only<RequestMsg>(resend.wire);
  CHECK(seqs(again) == std::vector<std::uint64_t>{1, 2, 3});
  for (const auto& m : again) CHECK(m.to_inc == kIncB);
  CHECK(p.a.resends() == 3);
  // More nacks for the same gap (the frames after it, still arriving) send nothing more.
  CHECK(only<RequestMsg>(feed(p.a, nack.wire, 11).wire).empty());
  CHECK(p.a.resends() == 3);

  o = feed(p.b, again, 20);
  CHECK(seqs(o.deliver) == std::vector<std::uint64_t>{1, 2, 3});
  Out ack;
  p.b.tick(30, 0, ack);
  REQUIRE(ack.wire.size() == 1);
  CHECK(std::holds_alternative<AckMsg>(ack.wire[0].body));
  feed(p.a, ack.wire, 30);
  CHECK(p.a.unacked() == 0);
}

TEST_CASE("link session: a stale nack (its ack below the oldest unacknowledged frame) is ignored") {
  Pair p;
  auto frames = p.send(p.a, 3);
  feed(p.b, {frames[0]}, 0);
  // A nack at 1 from a peer that has 1: frames 2 and 3 go again.
  CHECK(seqs(only<RequestMsg>(feed(p.a, {PeerMessage{2, 1, kIncB, kIncA, 0, 1, NackMsg{}}}, 5).wire)) ==
        std::vector<std::uint64_t>{2, 3});
  // One at 0, delivered late (1 is acked): nothing, even after the rate bound.
  CHECK(only<RequestMsg>(feed(p.a, {PeerMessage{2, 1, kIncB, kIncA, 0, 0, NackMsg{}}}, 100).wire).empty());
  CHECK(p.a.resends() == 2);
}

TEST_CASE("link session: a gap filled before the tick is acked, not nacked") {
  Pair p;
  auto frames = p.send(p.a, 3);
  feed(p.b, {frames[2]}, 0);                        // 3 early: a gap
  auto o = feed(p.b, {frames[0], frames[1], frames[2]}, 1);  // then 1 to 3 in order
  CHECK(seqs(o.deliver) == std::vector<std::uint64_t>{1, 2, 3});
  Out tick;
  p.b.tick(10, 0, tick);
  REQUIRE(tick.wire.size() == 1);
  CHECK(std::holds_alternative<AckMsg>(tick.wire[0].body));
  CHECK(tick.wire[0].ack == 3);
}

TEST_CASE("link session: the window goes again once per gap - a nack after the probe's resend sends nothing more") {
  Pair p;
  auto frames = p.send(p.a, 3);
  feed(p.b, {frames[1]}, 0);  // 1 lost, 2 dropped after the gap
  Out nack;
  p.b.tick(10, 0, nack);
  REQUIRE(only<NackMsg>(nack.wire).size() == 1);
  // The nack is slow; meanwhile a probes, b takes 1, and its ack ends the stall.
  Out probe;
  p.a.tick(200, 0, probe);
  REQUIRE(seqs(only<RequestMsg>(probe.wire)) == std::vector<std::uint64_t>{1});
  feed(p.b, only<RequestMsg>(probe.wire), 205);
  Out ack;
  p.b.tick(210, 0, ack);
  REQUIRE(ack.wire.size() == 1);
  CHECK(seqs(only<RequestMsg>(feed(p.a, ack.wire, 215).wire)) == std::vector<std::uint64_t>{2, 3});
  // b's nack said ack 0 and is stale; one that says 1, sent before the rest arrived, is
  // for the gap the stall's end already repaired.
  CHECK(only<RequestMsg>(feed(p.a, {PeerMessage{2, 1, kIncB, kIncA, 0, 1, NackMsg{}}}, 300).wire).empty());
  CHECK(p.a.resends() == 3);
}

TEST_CASE("link session: nacks send the window again at most once per resend_ms / 4") {
  Pair p;
  p.send(p.a, 5);
  auto nack = [&](std::uint64_t ack, std::int64_t now) {
    return seqs(only<RequestMsg>(feed(p.a, {PeerMessage{2, 1, kIncB, kIncA, 0, ack, NackMsg{}}}, now).wire));
  };
  CHECK(nack(0, 1000) == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  // A peer that acks one frame and nacks at once: within 50 ms, nothing goes again.
  CHECK(nack(1, 1001).empty());
  CHECK(nack(2, 1049).empty());
  CHECK(p.a.unacked() == 3);
  CHECK(nack(2, 1050) == std::vector<std::uint64_t>{3, 4, 5});
  CHECK(p.a.resends() == 8);
}

TEST_CASE("link session: a peer's restart forgets the gap its old incarnation reported") {
  Pair p;
  p.send(p.a, 2);
  CHECK(seqs(only<RequestMsg>(feed(p.a, {PeerMessage{2, 1, kIncB, kIncA, 0, 0, NackMsg{}}}, 1000).wire)) ==
        std::vector<std::uint64_t>{1, 2});
  // b restarts; its new incarnation greets a, and a's new session numbers from 1 again.
  constexpr std::uint64_t kIncB2 = kIncB + 1;
  feed(p.a, {hello(2, kIncB2, kIncA)}, 1100);
  p.send(p.a, 2, 10);
  // A gap at 0 in the new session is a new gap: the window goes again.
  CHECK(seqs(only<RequestMsg>(feed(p.a, {PeerMessage{2, 1, kIncB2, kIncA, 0, 0, NackMsg{}}}, 1200).wire)) ==
        std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("link session: a lost frame whose resend is lost too is probed after resend_ms - the oldest first, the rest on its ack") {
  Pair p;
  auto frames = p.send(p.a, 3);
  // Frame 1 is lost; 2 and 3 arrive and are dropped as a gap.
  feed(p.b, {frames[1], frames[2]}, 0);
  Out nack;
  p.b.tick(10, 0, nack);
  Out lost = feed(p.a, nack.wire, 10);  // the resend it brings is lost as a whole
  CHECK(only<RequestMsg>(lost.wire).size() == 3);
  CHECK(p.a.unacked() == 3);

  Out early;
  p.a.tick(10 + 199, 0, early);
  CHECK(only<RequestMsg>(early.wire).empty());
  Out resend;
  p.a.tick(10 + 200, 0, resend);
  auto again = only<RequestMsg>(resend.wire);
  CHECK(seqs(again) == std::vector<std::uint64_t>{1});  // a probe: the oldest alone
  CHECK(again[0].to_inc == kIncB);

  auto o = feed(p.b, again, 220);
  CHECK(seqs(o.deliver) == std::vector<std::uint64_t>{1});
  Out ack1;
  p.b.tick(230, 0, ack1);
  REQUIRE(ack1.wire.size() == 1);
  CHECK(ack1.wire[0].ack == 1);
  // Its ack ends the stall: the rest of the window goes again at once.
  Out rest = feed(p.a, ack1.wire, 240);
  auto tail = only<RequestMsg>(rest.wire);
  CHECK(seqs(tail) == std::vector<std::uint64_t>{2, 3});
  for (const auto& m : tail) CHECK(m.to_inc == kIncB);
  o = feed(p.b, tail, 250);
  CHECK(seqs(o.deliver) == std::vector<std::uint64_t>{2, 3});
}

TEST_CASE("link session: a peer that never acks gets one frame per resend_ms, not the window") {
  Pair p;
  p.send(p.a, 500);
  std::size_t resent = 0;
  for (std::int64_t t = 1; t <= 10 * kT.resend_ms; ++t) {
    Out o;
    p.a.tick(t, 0, o);
    // It keeps the link up with heartbeats, but its frames ack nothing.
    feed(p.a, {PeerMessage{2, 1, kIncB, kIncA, 0, 0, HeartbeatMsg{}}}, t);
    for (const auto& m : o.wire) resent += m.seq != 0;
  }
  CHECK(resent == 10);
  CHECK(p.a.unacked() == 500);
  // A paused peer that comes back and acks what it had got ends the stall: the rest goes once.
  Out o = feed(p.a, {PeerMessage{2, 1, kIncB, kIncA, 0, 200, AckMsg{}}}, 2001);
  CHECK(only<RequestMsg>(o.wire).size() == 300);
  CHECK(p.a.unacked() == 300);
  Out quiet;
  p.a.tick(2001 + kT.resend_ms - 1, 0, quiet);
  CHECK(only<RequestMsg>(quiet.wire).empty());
}

TEST_CASE("link session: cumulative acks trim the resend buffer") {
  Pair p;
  auto frames = p.send(p.a, 3);
  CHECK(p.a.unacked() == 3);
  feed(p.b, {frames[0], frames[1]}, 0);
  Out ack;
  p.b.tick(10, 0, ack);
  REQUIRE(ack.wire.size() == 1);
  CHECK(ack.wire[0].ack == 2);
  feed(p.a, ack.wire, 10);
  CHECK(p.a.unacked() == 1);

  // The ack was progress: the resend timer restarted at 10, and only frame 3 goes again.
  Out none;
  p.a.tick(200, 0, none);
  CHECK(only<RequestMsg>(none.wire).empty());
  Out resend;
  p.a.tick(210, 0, resend);
  CHECK(seqs(only<RequestMsg>(resend.wire)) == std::vector<std::uint64_t>{3});

  // Acks ride on every frame, not only bare acks: b's own request acks all three.
  feed(p.b, only<RequestMsg>(resend.wire), 220);
  auto back = p.send(p.b, 1, 50);
  REQUIRE(back.size() == 1);
  CHECK(back[0].ack == 3);
  auto o = feed(p.a, back, 230);
  CHECK(p.a.unacked() == 0);
  CHECK(o.deliver.size() == 1);

  // A stale ack does not bring anything back.
  feed(p.a, ack.wire, 240);
  CHECK(p.a.unacked() == 0);
}

TEST_CASE("link session: a heartbeat carries our chain height, and one received tells the peer's") {
  Pair p;
  p.a.set_height(7, "H7");
  Out beat;
  p.a.tick(100, 0, beat);
  REQUIRE(beat.wire.size() == 1);
  REQUIRE(std::holds_alternative<HeartbeatMsg>(beat.wire[0].body));
  CHECK(std::get<HeartbeatMsg>(beat.wire[0].body).height == 7);
  Out got = feed(p.b, beat.wire, 100);
  REQUIRE(got.events.size() == 1);
  CHECK(got.events[0].kind == Kind::height);
  CHECK(got.events[0].height == 7);
  // One from an incarnation that is gone tells nothing.
  Out stale = feed(p.b, {PeerMessage{1, 0, kIncA - 1, kIncB, 0, 0, HeartbeatMsg{9}}}, 110);
  CHECK(stale.events.empty());
}

TEST_CASE("link session: heartbeats keep an idle link alive, and an ack is owed only after new frames") {
  Pair p;
  Out none;
  p.a.tick(50, 0, none);
  CHECK(none.wire.empty());
  Out beat;
  p.a.tick(100, 9, beat);
  REQUIRE(beat.wire.size() == 1);
  CHECK(std::holds_alternative<HeartbeatMsg>(beat.wire[0].body));
  CHECK(beat.wire[0].seq == 0);
  CHECK(beat.wire[0].to_inc == kIncB);
  CHECK(beat.wire[0].lamport == 9);
  Out quiet;
  p.a.tick(150, 9, quiet);
  CHECK(quiet.wire.empty());

  // A heartbeat received does not create an ack debt; a sequenced frame does, once.
  feed(p.b, beat.wire, 100);
  Out b1;
  p.b.tick(110, 0, b1);
  CHECK(only<AckMsg>(b1.wire).empty());
  auto frames = p.send(p.a, 1);
  feed(p.b, frames, 120);
  Out b2;
  p.b.tick(130, 0, b2);
  CHECK(only<AckMsg>(b2.wire).size() == 1);
  Out b3;
  p.b.tick(140, 0, b3);
  CHECK(only<AckMsg>(b3.wire).empty());
}

TEST_CASE("link session: a bye takes the peer down at once, reported once, and its next frame brings it back") {
  Pair p;
  Out bye;
  p.b.bye(bye);
  REQUIRE(only<ByeMsg>(bye.wire).size() == 1);
  CHECK(bye.wire[0].seq == 0);  // not sequenced: nothing to resend or ack
  auto down = feed(p.a, bye.wire, 5);
  CHECK(kinds(down) == std::vector<Kind>{Kind::stopped});
  CHECK_FALSE(p.a.up());
  CHECK(kinds(feed(p.a, bye.wire, 6)).empty());  // a duplicate says nothing more
  Out quiet;
  p.a.tick(2000, 0, quiet);
  CHECK(quiet.events.empty());  // no second report when the silence passes the timeout
  // A bye from another incarnation (an old one's, delivered late) is not ours.
  Pair q;
  PeerMessage stale = bye.wire[0];
  stale.inc = kIncB - 1;
  CHECK(kinds(feed(q.a, {stale}, 5)).empty());
  CHECK(q.a.up());
  // A session not established yet says no bye.
  LinkSession fresh{1, 2, kIncA, "G", kT};
  Out none;
  fresh.bye(none);
  CHECK(none.wire.empty());
}

TEST_CASE("link session: the peer is down after peer_timeout_ms of silence and up on its next frame") {
  Pair p;
  Out o;
  p.a.tick(1000, 0, o);
  CHECK(o.events.empty());
  CHECK(p.a.up());
  Out down;
  p.a.tick(1001, 0, down);
  CHECK(kinds(down) == std::vector<Kind>{Kind::down});
  CHECK_FALSE(p.a.up());
  Out still;
  p.a.tick(2000, 0, still);
  CHECK(still.events.empty());  // reported once

  // The session itself survives: the next heartbeat brings the peer back, lamport and all.
  Out hb;
  p.b.tick(2000, 55, hb);
  REQUIRE(only<HeartbeatMsg>(hb.wire).size() == 1);
  auto up = feed(p.a, hb.wire, 2005);
  REQUIRE(kinds(up) == std::vector<Kind>{Kind::up, Kind::height});
  CHECK(up.events[0].lamport == 55);
  CHECK(p.a.up());
  CHECK(p.a.peer_incarnation() == kIncB);

  // Frames keep it up: silence is measured from the last one heard.
  Out fine;
  p.a.tick(3005, 0, fine);
  CHECK(fine.events.empty());
}

TEST_CASE("link session: a peer with another genesis is refused, reported once, and nothing is delivered") {
  LinkSession a(1, 2, kIncA, "G", kT);
  Out o;
  a.send(req(1), 1, 0, o);
  a.receive(hello(2, kIncB, 0, 5, "OTHER"), 0, o);
  a.receive(hello(2, kIncB, kIncA, 6, "OTHER"), 10, o);
  CHECK(kinds(o) == std::vector<Kind>{Kind::genesis_mismatch});
  CHECK(a.genesis_mismatch());
  CHECK_FALSE(a.established());
  CHECK_FALSE(a.up());
  CHECK(only<RequestMsg>(o.wire).empty());

  // The peer's sequenced frames are not delivered.
  a.receive(PeerMessage{2, 7, kIncB, kIncA, 1, 0, RequestMsg{{7, 2}}}, 20, o);
  CHECK(o.deliver.empty());
  Out t;
  a.tick(500, 0, t);
  CHECK(only<RequestMsg>(t.wire).empty());
  CHECK(t.events.empty());
}

TEST_CASE("link session: a newer incarnation of the peer resets both directions and reports restarted") {
  Pair p;
  auto to_b = p.send(p.a, 2);
  feed(p.b, to_b, 0);
  auto to_a = p.send(p.b, 3, 10);
  feed(p.a, to_a, 0);
  p.send(p.a, 1);  // a third request, never acked
  CHECK(p.a.unacked() > 0);

  // b crashes; its next incarnation says hello.
  LinkSession b2(2, 1, kIncB + 1, "G", kT);
  b2.set_height(4, "H4");
  Out hb;
  b2.tick(100, 40, hb);
  auto o = feed(p.a, hb.wire, 100);
  REQUIRE_FALSE(o.events.empty());
  CHECK(o.events[0].kind == Kind::restarted);
  CHECK(o.events[0].lamport == 40);
  CHECK(o.events[0].height == 4);
  CHECK(o.events[0].head == "H4");  // the ledger compares it with its own block 4
  for (const auto& e : o.events) CHECK(e.kind != Kind::down);
  CHECK(p.a.peer_incarnation() == kIncB + 1);
  CHECK(p.a.unacked() == 0);  // what the old incarnation never acked is void
  CHECK(p.a.up());
  // Our answer is a hello to the new incarnation and nothing of the old session.
  REQUIRE(o.wire.size() == 1);
  CHECK(std::holds_alternative<HelloMsg>(o.wire[0].body));
  CHECK(o.wire[0].to_inc == kIncB + 1);
  CHECK(o.wire[0].ack == 0);

  // Both directions start again at 1.
  feed(b2, o.wire, 100);
  Out s;
  p.a.send(req(9), 60, 110, s);
  REQUIRE(s.wire.size() == 1);
  CHECK(s.wire[0].seq == 1);
  CHECK(s.wire[0].to_inc == kIncB + 1);
  auto at_b2 = feed(b2, s.wire, 110);
  CHECK(seqs(at_b2.deliver) == std::vector<std::uint64_t>{1});
  Out s2;
  b2.send(RequestMsg{{61, 2}}, 61, 120, s2);
  REQUIRE(s2.wire.size() == 1);
  auto at_a = feed(p.a, s2.wire, 120);
  REQUIRE(at_a.deliver.size() == 1);  // seq 1 again: accepted though a had received 3 before
  CHECK(std::get<RequestMsg>(at_a.deliver[0].body).req == Stamp{61, 2});
}

TEST_CASE("link session: frames from an older incarnation of the peer are dropped") {
  Pair p;
  auto old_frames = p.send(p.b, 2, 10);  // in flight when b crashes
  LinkSession b2(2, 1, kIncB + 1, "G", kT);
  Out hb;
  b2.tick(100, 40, hb);
  feed(p.a, hb.wire, 100);
  REQUIRE(p.a.peer_incarnation() == kIncB + 1);

  Out o;
  for (const auto& m : old_frames) p.a.receive(m, 110, o);
  p.a.receive(hello(2, kIncB, kIncA, 99), 110, o);
  p.a.receive(PeerMessage{2, 99, kIncB, kIncA, 0, 0, HeartbeatMsg{}}, 110, o);
  CHECK(o.deliver.empty());
  CHECK(o.events.empty());
  CHECK(o.wire.empty());
  CHECK(p.a.peer_incarnation() == kIncB + 1);
  // The old incarnation's hello named us, but the new one has not: we keep saying hello to it.
  Out t;
  p.a.tick(200, 0, t);
  auto hellos = only<HelloMsg>(t.wire);
  REQUIRE(hellos.size() == 1);
  CHECK(hellos[0].to_inc == kIncB + 1);
  // Nor do old frames keep the link alive: silence counts from the new incarnation's hello.
  Out down;
  p.a.tick(1101, 0, down);
  CHECK(kinds(down) == std::vector<Kind>{Kind::down});

  // Frames from strangers and incarnation 0 are dropped too.
  p.a.receive(PeerMessage{3, 1, kIncB + 1, kIncA, 1, 0, RequestMsg{{1, 3}}}, 110, o);
  p.a.receive(PeerMessage{2, 1, 0, kIncA, 1, 0, RequestMsg{{1, 2}}}, 110, o);
  CHECK(o.deliver.empty());
}

TEST_CASE("link session: frames addressed to an older incarnation of ours are dropped") {
  Pair p;
  // a crashes and restarts as a2; b does not know yet and keeps talking to incarnation kIncA.
  LinkSession a2(1, 2, kIncA + 1, "G", kT);
  auto stale = p.send(p.b, 2, 10);
  REQUIRE(stale[0].to_inc == kIncA);
  Out o;
  a2.receive(hello(2, kIncB, kIncA, 5), 0, o);  // b's hello, still naming the old a
  CHECK(a2.established());
  for (const auto& m : stale) a2.receive(m, 0, o);
  CHECK(o.deliver.empty());

  // a2 keeps saying hello (b has not named it yet); b learns of the restart and starts over.
  Out h;
  a2.tick(100, 0, h);
  auto hellos = only<HelloMsg>(h.wire);
  REQUIRE(hellos.size() == 1);
  auto at_b = feed(p.b, hellos, 100);
  CHECK(kinds(at_b).front() == Kind::restarted);
  auto fresh = p.send(p.b, 1, 20);
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].to_inc == kIncA + 1);
  CHECK(fresh[0].seq == 1);
  Out d;
  a2.receive(fresh[0], 110, d);
  REQUIRE(d.deliver.size() == 1);
  CHECK(std::get<RequestMsg>(d.deliver[0].body) == req(21));
}

TEST_CASE("link session: only a frame addressed to our incarnation greets, once - a stale hello does not") {
  LinkSession a(1, 2, kIncA, "G", kT);
  // A hello the peer addressed to an earlier incarnation of ours (held up in a queue, say):
  // the link is up, but we are not greeted and keep saying hello.
  Out o = feed(a, {hello(2, kIncB, kIncA - 1, 5)}, 0);
  CHECK(kinds(o) == std::vector<Kind>{Kind::up});
  CHECK(feed(a, {hello(2, kIncB, 0, 6)}, 1).events.empty());
  Out t;
  a.tick(500, 0, t);
  CHECK(only<HelloMsg>(t.wire).size() == 1);
  // The peer's hello to this incarnation greets, with its clock.
  Out g = feed(a, {hello(2, kIncB, kIncA, 7)}, 600);
  REQUIRE(kinds(g) == std::vector<Kind>{Kind::greeted});
  CHECK(g.events[0].lamport == 7);
  CHECK(g.events[0].incarnation == kIncB);
  CHECK(feed(a, {hello(2, kIncB, kIncA, 8)}, 601).events.empty());  // once per peer incarnation

  // Any other frame addressed to us greets as well (the peer's hello to us may be lost).
  LinkSession b(1, 2, kIncA, "G", kT);
  feed(b, {hello(2, kIncB, 0, 5)}, 0);
  Out hb = feed(b, {PeerMessage{2, 9, kIncB, kIncA, 0, 0, HeartbeatMsg{}}}, 1);
  REQUIRE(kinds(hb) == std::vector<Kind>{Kind::height, Kind::greeted});
  CHECK(hb.events[1].lamport == 9);
}

TEST_CASE("link session: frames the session drops move no clock, those it takes do") {
  Pair p;
  const Lamport before = p.a.clock();
  auto frame = [](std::uint64_t seq, Lamport lamport, std::uint64_t inc = kIncB, std::uint64_t to_inc = kIncA) {
    return PeerMessage{2, lamport, inc, to_inc, seq, 0, req(lamport - 1)};
  };
  Out o = feed(p.a, {frame(1, 50)}, 1);
  CHECK(o.deliver.size() == 1);
  CHECK(o.clock == 50);
  CHECK(p.a.clock() == std::max<Lamport>(before, 50));
  const std::vector<PeerMessage> dropped{
      frame(1, 900),                                                      // a duplicate
      frame(3, 901),                                                      // after a gap
      frame(2, 902, kIncB - 1),                                           // an older peer incarnation
      frame(2, 903, kIncB, kIncA - 1),                                    // for an older incarnation of ours
      PeerMessage{3, 904, kIncB, kIncA, 2, 0, req(903)},                  // another node
      PeerMessage{2, 905, kIncB, kIncA, 0, 0, HelloMsg{"other", 0}},      // another genesis
  };
  for (const auto& m : dropped) {
    CAPTURE(m.lamport);
    Out d = feed(p.a, {m}, 2);
    CHECK(d.deliver.empty());
    CHECK(d.clock == 0);
    for (const auto& e : d.events) CHECK(e.lamport < 900);
  }
  CHECK(p.a.clock() == 50);
}

TEST_CASE("link session: at most kWindow frames unacked on the wire - later ones are held and go as acks make room") {
  Pair p;
  const auto window = LinkSession::kWindow;
  auto wire = p.send(p.a, static_cast<int>(window + 10));
  CHECK(wire.size() == window);
  CHECK(wire.back().seq == window);
  CHECK(p.a.unacked() == window);
  CHECK(p.a.held() == 10);
  // The peer acks five: five held frames go out, in order.
  Out o = feed(p.a, {PeerMessage{2, 1, kIncB, kIncA, 0, 5, AckMsg{}}}, p.now);
  std::vector<std::uint64_t> next;
  for (std::uint64_t s = window + 1; s <= window + 5; ++s) next.push_back(s);
  CHECK(seqs(o.wire) == next);
  CHECK(p.a.unacked() == window);
  CHECK(p.a.held() == 5);
  // A go-back-N resend sends the window, no more: a probe, then, on its ack, the rest.
  Out r;
  p.a.tick(p.now + kT.resend_ms, 1, r);
  CHECK(seqs(only<RequestMsg>(r.wire)) == std::vector<std::uint64_t>{6});
  Out rest = feed(p.a, {PeerMessage{2, 1, kIncB, kIncA, 0, 6, AckMsg{}}}, p.now + kT.resend_ms + 1);
  std::size_t sequenced = 0;
  for (const auto& m : rest.wire) sequenced += m.seq != 0;
  CHECK(sequenced == window);  // 1,023 resent, then the next held one
  CHECK(p.a.unacked() == window);
}

TEST_CASE("link session: past its bound the session starts over under a new incarnation, and the peer follows") {
  Pair p;
  p.send(p.a, static_cast<int>(LinkSession::kWindow + LinkSession::kHeld));
  CHECK(p.a.unacked() + p.a.held() == LinkSession::kWindow + LinkSession::kHeld);
  Out o;
  p.a.send(req(99999), 99999, p.now, o);
  REQUIRE(kinds(o) == std::vector<Kind>{Kind::reset});
  CHECK(p.a.unacked() == 0);
  CHECK(p.a.held() == 0);
  CHECK(p.a.incarnation() == kIncA + 1);
  REQUIRE(o.wire.size() == 1);
  CHECK(std::holds_alternative<HelloMsg>(o.wire[0].body));
  CHECK(o.wire[0].inc == kIncA + 1);
  // The peer takes it for a restart of ours, and its answer greets our new incarnation.
  Out b = feed(p.b, o.wire, p.now);
  CHECK(kinds(b) == std::vector<Kind>{Kind::restarted, Kind::greeted});
  Out a = feed(p.a, b.wire, p.now);
  CHECK(kinds(a) == std::vector<Kind>{Kind::greeted});
  // The new session numbers from 1 and delivers.
  auto fresh = p.send(p.a, 1);
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].seq == 1);
  CHECK(feed(p.b, fresh, p.now).deliver.size() == 1);
}

TEST_CASE("link session: the blocks the session holds are bounded too") {
  Pair p;
  Out o;
  const std::vector<Block> many(LinkSession::kMaxBlocks / 2);
  p.a.send(ReleaseMsg{{1, 1}, many}, 1, p.now, o);
  p.a.send(ReleaseMsg{{2, 1}, many}, 2, p.now, o);
  CHECK(o.events.empty());
  CHECK(p.a.unacked() == 2);
  p.a.send(ReleaseMsg{{3, 1}, {Block{}}}, 3, p.now, o);
  CHECK(kinds(o) == std::vector<Kind>{Kind::reset});
  CHECK(p.a.unacked() == 0);
  // Acked blocks leave the count: after an ack the same again fits.
  Pair q;
  Out w;
  q.a.send(ReleaseMsg{{1, 1}, many}, 1, q.now, w);
  q.a.send(ReleaseMsg{{2, 1}, many}, 2, q.now, w);
  feed(q.a, {PeerMessage{2, 1, kIncB, kIncA, 0, 2, AckMsg{}}}, q.now);
  Out more;
  q.a.send(ReleaseMsg{{3, 1}, many}, 3, q.now, more);
  CHECK(more.events.empty());
}

TEST_CASE("link session: a round trip is timed from a frame's sending to the first ack that covers it") {
  Pair p;
  p.a.set_now_us(1'000);
  auto frames = p.send(p.a, 2);  // the first is timed
  feed(p.b, frames, 0);
  Out ack;
  p.b.tick(10, 0, ack);
  p.a.set_now_us(1'400);
  feed(p.a, ack.wire, 10);
  CHECK(p.a.rtt_us().count() == 1);
  CHECK(p.a.rtt_us().sum() == 400);
  // An ack again for the same frames adds nothing; the next frame sent is timed anew, and an
  // ack riding on a request counts as well as a bare one.
  feed(p.a, ack.wire, 11);
  CHECK(p.a.rtt_us().count() == 1);
  p.a.set_now_us(2'000);
  auto more = p.send(p.a, 1, 10);
  feed(p.b, more, 20);
  auto back = p.send(p.b, 1, 40);
  p.a.set_now_us(2'150);
  feed(p.a, back, 20);
  CHECK(p.a.rtt_us().count() == 2);
  CHECK(p.a.rtt_us().sum() == 400 + 150);
  CHECK(p.a.resends() == 0);
}

TEST_CASE("link session: resent frames are counted, and an ack after a resend times nothing (Karn's rule)") {
  Pair p;
  p.a.set_now_us(0);
  auto lost = p.send(p.a, 3);  // all three lost
  Out probe;
  p.a.set_now_us(200'000);
  p.a.tick(200, 0, probe);
  // A stall: the oldest frame alone goes again (a probe).
  REQUIRE(seqs(only<RequestMsg>(probe.wire)) == std::vector<std::uint64_t>{1});
  CHECK(p.a.resends() == 1);
  feed(p.b, only<RequestMsg>(probe.wire), 205);
  Out ack;
  p.b.tick(210, 0, ack);
  p.a.set_now_us(210'000);
  Out rest = feed(p.a, ack.wire, 210);
  // Its ack moves: the rest of the window goes again, and is counted too.
  CHECK(seqs(only<RequestMsg>(rest.wire)) == std::vector<std::uint64_t>{2, 3});
  CHECK(p.a.resends() == 3);
  // The ack may answer the first sending or the second: no round trip is taken from it.
  CHECK(p.a.rtt_us().count() == 0);
  feed(p.b, only<RequestMsg>(rest.wire), 211);
  Out ack2;
  p.b.tick(220, 0, ack2);
  p.a.set_now_us(220'000);
  feed(p.a, ack2.wire, 220);
  CHECK(p.a.unacked() == 0);
  CHECK(p.a.rtt_us().count() == 0);
  // The next frame is timed again.
  auto next = p.send(p.a, 1, 10);
  feed(p.b, next, 221);
  Out ack3;
  p.b.tick(230, 0, ack3);
  p.a.set_now_us(220'300);
  feed(p.a, ack3.wire, 230);
  CHECK(p.a.rtt_us().count() == 1);
  CHECK(p.a.rtt_us().sum() == 300);
  CHECK(p.a.resends() == 3);
}
