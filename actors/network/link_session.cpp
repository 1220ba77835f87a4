// LinkSession: sequence numbers, acks, resends, incarnations; see the header.
#include "actors/network/link_session.hpp"

#include <algorithm>

#include "messages/guards.hpp"

namespace bank {

LinkSession::LinkSession(NodeId self, NodeId peer, std::uint64_t incarnation, std::string genesis, LinkTimings timings)
    : self_(self), peer_(peer), inc_(incarnation), genesis_(std::move(genesis)), t_(timings), head_(genesis_) {}

PeerMessage LinkSession::frame(PeerBody body, Lamport lamport, std::uint64_t seq) const {
  return PeerMessage{self_, lamport, inc_, peer_inc_, seq, received_, std::move(body)};
}

std::size_t LinkSession::blocks_in(const PeerMessage& m) {
  if (const auto* r = std::get_if<ReleaseMsg>(&m.body)) return r->blocks.size();
  if (const auto* b = std::get_if<BlocksMsg>(&m.body)) return b->blocks.size();
  return 0;
}

void LinkSession::send(PeerBody body, Lamport lamport, std::int64_t now, Output& out) {
  lamport_ = std::max(lamport_, lamport);
  PeerMessage m = frame(std::move(body), lamport, 0);
  std::size_t blocks = blocks_in(m);
  // No room: this message is void with everything else the session held (the reset tells
  // the layer above, which re-sends what still matters, as to a restarted peer).
  if (unacked_.size() + held_.size() >= kWindow + kHeld || blocks_ + blocks > kMaxBlocks) return overflow(now, out);
  m.seq = next_seq_++;
  blocks_ += blocks;
  held_.push_back(std::move(m));
  admit(now, out);
}

// Held frames enter the window while it has room, and go out at once if we know whom we
// talk to (else they wait for the peer's hello).
void LinkSession::admit(std::int64_t now, Output& out) {
  while (!held_.empty() && unacked_.size() < kWindow) {
    if (unacked_.empty()) last_progress_ = now;
    unacked_.push_back(std::move(held_.front()));
    held_.pop_front();
    if (!established()) continue;
    PeerMessage m = unacked_.back();
    m.to_inc = peer_inc_;
    m.ack = received_;
    ack_owed_ = false;
    last_sent_ = now;
    if (probe_seq_ == 0) {
      probe_seq_ = m.seq;
      probe_us_ = now_us_;
    }
    out.wire.push_back(std::move(m));
  }
}

// Too much unacknowledged: start over under a new incarnation of ours on this link. The
// peer takes our next hello for a restart of ours (it drops our requests and re-sends its
// own), and the reset event has our side do the same, so neither keeps anything of the old
// session: the bound holds and the two sides agree again. The node's incarnations are
// microseconds of wall clock, so ours + 1 stays below the next start's.
void LinkSession::overflow(std::int64_t now, Output& out) {
  ++inc_;
  unacked_.clear();
  held_.clear();
  blocks_ = 0;
  next_seq_ = 1;
  received_ = 0;
  probe_seq_ = 0;
  ack_owed_ = false;
  gap_top_ = 0;
  fast_from_ = kNoAck;
  probing_ = false;
  peer_knows_me_ = false;
  out.events.push_back({EventKind::reset, lamport_, peer_height_, peer_inc_, peer_head_});
  if (established()) hello(now, lamport_, out);
}

void LinkSession::transmit_unacked(std::int64_t now, Output& out) {
  for (PeerMessage m : unacked_) {
    m.to_inc = peer_inc_;
    m.ack = received_;
    out.wire.push_back(std::move(m));
  }
  if (!unacked_.empty()) {
    ack_owed_ = false;
    last_sent_ = now;
  }
  last_progress_ = now;
}

// The oldest unacknowledged frame alone: if the peer takes it (or has it), its ack moves and
// the rest follows; if it never acks, it costs one frame per resend_ms, not the window.
void LinkSession::probe(std::int64_t now, Output& out) {
  ++resends_;
  probe_seq_ = 0;  // an ack may now answer either sending: nothing is timed until it comes
  PeerMessage m = unacked_.front();
  m.to_inc = peer_inc_;
  m.ack = received_;
  out.wire.push_back(std::move(m));
  ack_owed_ = false;
  last_sent_ = now;
  last_progress_ = now;
  probing_ = true;
}

// The whole window again, from the frame after `ack`: once per gap, so a nack for the same
// gap, still on its way, sends nothing more.
void LinkSession::go_back(std::uint64_t ack, std::int64_t now, Output& out) {
  probing_ = false;
  fast_from_ = ack;
  resends_ += unacked_.size();
  transmit_unacked(now, out);
}

void LinkSession::hello(std::int64_t now, Lamport lamport, Output& out) {
  out.wire.push_back(frame(HelloMsg{genesis_, height_, head_}, lamport, 0));
  last_sent_ = now;
}

void LinkSession::heard(std::int64_t now, Lamport lamport, Output& out) {
  last_heard_ = now;
  if (!up_ && established()) {
    up_ = true;
    out.events.push_back({EventKind::up, lamport, peer_height_, peer_inc_, peer_head_});
  }
}

void LinkSession::take(Lamport lamport, Output& out) {
  lamport_ = std::max(lamport_, lamport);
  out.clock = std::max(out.clock, lamport);
}

void LinkSession::greet(Lamport lamport, Output& out) {
  if (peer_knows_me_) return;
  peer_knows_me_ = true;
  out.events.push_back({EventKind::greeted, lamport, peer_height_, peer_inc_, peer_head_});
}

void LinkSession::on_hello(const PeerMessage& m, std::int64_t now, Output& out) {
  const auto& h = std::get<HelloMsg>(m.body);
  if (h.genesis != genesis_) {
    if (!mismatch_) out.events.push_back({EventKind::genesis_mismatch, 0, 0, 0, {}});
    mismatch_ = true;
    return;
  }
  take(m.lamport, out);
  mismatch_ = false;
  peer_height_ = h.height;
  peer_head_ = h.head;
  if (m.inc > peer_inc_) {
    bool restarted = peer_inc_ != 0;
    if (restarted && guards::on(guards::Guard::restart_voids_session)) {
      // The old incarnation is gone: what we still owed it, and what it had sent us, is void.
      unacked_.clear();
      held_.clear();
      blocks_ = 0;
      next_seq_ = 1;
      received_ = 0;
      gap_top_ = 0;
      fast_from_ = kNoAck;
      probing_ = false;
      probe_seq_ = 0;
      up_ = false;
    }
    peer_inc_ = m.inc;
    peer_knows_me_ = false;
    if (restarted) {
      // One event says it all: the link is up again, to a new incarnation.
      up_ = true;
      last_heard_ = now;
      out.events.push_back({EventKind::restarted, m.lamport, h.height, m.inc, h.head});
    } else {
      heard(now, m.lamport, out);
    }
    hello(now, std::max(lamport_, m.lamport), out);
    transmit_unacked(now, out);
  } else {
    heard(now, m.lamport, out);
  }
  // Only a frame sent to this incarnation of ours greets (a hello here, any other in
  // receive()): a hello addressed to an earlier one (delivered late, say) may carry a clock
  // from before the peer saw that incarnation's last messages.
  if (m.to_inc == inc_ || !guards::on(guards::Guard::greeting_to_us)) greet(m.lamport, out);
}

// Nothing of a frame the session drops moves a clock: another node's or incarnation's, one
// not addressed to us, a duplicate or one after a gap.
void LinkSession::receive(const PeerMessage& m, std::int64_t now, Output& out) {
  if (m.from != peer_ || m.inc == 0) return;  // not ours
  if (m.inc < peer_inc_ && guards::on(guards::Guard::old_incarnation_dropped)) return;  // an old incarnation
  if (std::holds_alternative<HelloMsg>(m.body)) return on_hello(m, now, out);
  // Anything else needs a session with exactly this incarnation, addressed to ours.
  if (mismatch_) return;
  if ((m.inc != peer_inc_ || m.to_inc != inc_) && guards::on(guards::Guard::exact_incarnation)) return;
  if (std::holds_alternative<ByeMsg>(m.body)) {  // it stopped: down now, not after the timeout
    if (up_) out.events.push_back({EventKind::stopped, 0, 0, peer_inc_, {}});
    up_ = false;
    return;
  }
  // A duplicate, or a frame after a gap, is dropped (the sender resends); it still shows
  // the peer alive, and its ack (current when it was resent) still counts.
  const bool fresh = m.seq == 0 || m.seq == received_ + 1;
  heard(now, fresh ? m.lamport : 0, out);
  bool progress = false;
  while (!unacked_.empty() && unacked_.front().seq <= m.ack) {
    blocks_ -= blocks_in(unacked_.front());
    unacked_.pop_front();
    last_progress_ = now;
    progress = true;
  }
  // The stall is over: what followed the probe was lost with it, most likely (a connection
  // that broke), so the rest of the window goes again now, in order (duplicates are dropped).
  if (progress && probing_) {
    go_back(m.ack, now, out);
  } else if (std::holds_alternative<NackMsg>(m.body) && !unacked_.empty() && unacked_.front().seq == m.ack + 1 &&
             fast_from_ != m.ack && now - last_fast_ >= t_.resend_ms / 4) {
    // The peer dropped a frame after a gap at m.ack: what followed it was lost (a
    // connection that broke). Go back now, once per gap; if the resend is lost too, the
    // probe after resend_ms takes over.
    last_fast_ = now;
    if (probe_seq_ > m.ack) probe_seq_ = 0;  // the timed frame goes again: its ack may answer either
    go_back(m.ack, now, out);
  }
  if (probe_seq_ != 0 && m.ack >= probe_seq_) {
    rtt_us_.observe_span(probe_us_, now_us_);
    probe_seq_ = 0;
  }
  admit(now, out);
  if (const auto* beat = std::get_if<HeartbeatMsg>(&m.body)) out.events.push_back({EventKind::height, 0, beat->height, peer_inc_, {}});
  if (m.seq != 0) {
    ack_owed_ = true;
    if (m.seq > received_ + 1) gap_top_ = std::max(gap_top_, m.seq);
    if (!fresh) return;
    received_ = m.seq;
    out.deliver.push_back(m);
  }
  take(m.lamport, out);
  greet(m.lamport, out);
}

void LinkSession::tick(std::int64_t now, Lamport lamport, Output& out) {
  lamport_ = std::max(lamport_, lamport);
  if (!established() || !peer_knows_me_) {
    if (now - last_sent_ >= t_.heartbeat_ms) hello(now, lamport_, out);
  } else {
    // Go-back-N, one frame at a time while the peer does not ack: every frame sent is a log
    // line too, and resending the whole window every resend_ms to a peer that never acks
    // (down, or hostile) would write thousands a second for as long as it lasts.
    if (!unacked_.empty() && now - last_progress_ >= t_.resend_ms) probe(now, out);
    const bool gap_open = gap_top_ > received_;
    gap_top_ = 0;
    if (gap_open || ack_owed_) {
      out.wire.push_back(frame(gap_open ? PeerBody{NackMsg{}} : PeerBody{AckMsg{}}, lamport_, 0));
      ack_owed_ = false;
      last_sent_ = now;
    } else if (now - last_sent_ >= t_.heartbeat_ms) {
      out.wire.push_back(frame(HeartbeatMsg{height_}, lamport_, 0));
      last_sent_ = now;
    }
  }
  if (up_ && now - last_heard_ > t_.peer_timeout_ms) {
    up_ = false;
    out.events.push_back({EventKind::down, 0, 0, peer_inc_, {}});
  }
}

}  // namespace bank
