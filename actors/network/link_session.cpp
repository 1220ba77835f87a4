// LinkSession: sequence numbers, acks, resends, incarnations; see the header.
#include "actors/network/link_session.hpp"

namespace bank {

LinkSession::LinkSession(NodeId self, NodeId peer, std::uint64_t incarnation, std::string genesis, LinkTimings timings)
    : self_(self), peer_(peer), inc_(incarnation), genesis_(std::move(genesis)), t_(timings), head_(genesis_) {}

PeerMessage LinkSession::frame(PeerBody body, Lamport lamport, std::uint64_t seq) const {
  return PeerMessage{self_, lamport, inc_, peer_inc_, seq, received_, std::move(body)};
}

void LinkSession::send(PeerBody body, Lamport lamport, std::int64_t now, Output& out) {
  lamport_ = std::max(lamport_, lamport);
  if (unacked_.empty()) last_progress_ = now;
  unacked_.push_back(frame(std::move(body), lamport, next_seq_++));
  if (!established()) return;  // held until the peer's hello tells us whom we talk to
  PeerMessage m = unacked_.back();
  m.to_inc = peer_inc_;
  m.ack = received_;
  ack_owed_ = false;
  last_sent_ = now;
  out.wire.push_back(std::move(m));
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

void LinkSession::on_hello(const PeerMessage& m, std::int64_t now, Output& out) {
  const auto& h = std::get<HelloMsg>(m.body);
  if (h.genesis != genesis_) {
    if (!mismatch_) out.events.push_back({EventKind::genesis_mismatch, m.lamport, 0, 0, {}});
    mismatch_ = true;
    return;
  }
  mismatch_ = false;
  peer_height_ = h.height;
  peer_head_ = h.head;
  if (m.inc > peer_inc_) {
    bool restarted = peer_inc_ != 0;
    if (restarted) {
      // The old incarnation is gone: what we still owed it, and what it had sent us, is void.
      unacked_.clear();
      next_seq_ = 1;
      received_ = 0;
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
  if (m.to_inc == inc_) peer_knows_me_ = true;
}

void LinkSession::receive(const PeerMessage& m, std::int64_t now, Output& out) {
  if (m.from != peer_ || m.inc == 0 || m.inc < peer_inc_) return;  // not ours, or an old incarnation
  lamport_ = std::max(lamport_, m.lamport);
  if (std::holds_alternative<HelloMsg>(m.body)) return on_hello(m, now, out);
  // Anything else needs a session with exactly this incarnation, addressed to ours.
  if (m.inc != peer_inc_ || mismatch_ || m.to_inc != inc_) return;
  peer_knows_me_ = true;
  heard(now, m.lamport, out);
  while (!unacked_.empty() && unacked_.front().seq <= m.ack) {
    unacked_.pop_front();
    last_progress_ = now;
  }
  if (m.seq == 0) return;
  ack_owed_ = true;
  if (m.seq != received_ + 1) return;  // duplicate or gap: the sender resends
  received_ = m.seq;
  out.deliver.push_back(m);
}

void LinkSession::tick(std::int64_t now, Lamport lamport, Output& out) {
  lamport_ = std::max(lamport_, lamport);
  if (!established() || !peer_knows_me_) {
    if (now - last_sent_ >= t_.heartbeat_ms) hello(now, lamport_, out);
  } else {
    if (!unacked_.empty() && now - last_progress_ >= t_.resend_ms) transmit_unacked(now, out);
    if (ack_owed_) {
      out.wire.push_back(frame(AckMsg{}, lamport_, 0));
      ack_owed_ = false;
      last_sent_ = now;
    } else if (now - last_sent_ >= t_.heartbeat_ms) {
      out.wire.push_back(frame(HeartbeatMsg{}, lamport_, 0));
      last_sent_ = now;
    }
  }
  if (up_ && now - last_heard_ > t_.peer_timeout_ms) {
    up_ = false;
    out.events.push_back({EventKind::down, 0, 0, peer_inc_, {}});
  }
}

}  // namespace bank
