// LinkSession: one reliable FIFO session with one peer, as a pure core.
//
// Sequenced messages get per-direction numbers (1, 2, ...) and stay in a resend buffer
// until the peer's cumulative ack covers them; received ones are delivered strictly in
// order, duplicates and gaps dropped. A receiver that drops a frame after a gap says so
// (a nack) and the sender resends its window at once; otherwise the sender resends after
// `resend_ms` without progress (go-back-N, see receive() and tick()). Hellos announce an
// incarnation and the genesis hash; a session starts when the peer's hello arrives, and a
// hello with a newer incarnation means the peer restarted: both directions start over and
// the layer above is told. Every frame carries the receiver incarnation it is meant for, so
// nothing of an old session leaks into a new one.
//
// Bounded: at most kWindow sequenced frames are on the wire unacknowledged; later ones wait
// in a held queue of at most kHeld, untransmitted. A peer that lets more pile up (it never
// acks: gone for a very long time, or hostile) costs us no more: the session starts over as
// if we had restarted (see overflow()).
//
// Metrics: frames resent, and the round trip from a sequenced frame's first sending to the
// first ack that covers it, timed on the host's clock (set_now_us). One frame at a time is
// timed, and never one that was resent (its ack could answer either sending: Karn's rule).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "messages/histogram.hpp"
#include "messages/peer_message.hpp"

namespace bank {

struct LinkTimings {
  std::int64_t heartbeat_ms = 250;      // hello/heartbeat period when idle
  std::int64_t resend_ms = 200;         // resend the unacked after this long without progress
  std::int64_t peer_timeout_ms = 1500;  // silent this long: the peer is down
};

class LinkSession {
 public:
  // Sequenced frames sent and not yet acknowledged, at most. Far above what a live peer
  // leaves unacked (it acks within a tick, 10 ms); a go-back-N resend sends at most this many.
  static constexpr std::size_t kWindow = 1024;
  // Sequenced frames waiting for room in the window, at most. A silent peer stalls the
  // critical section, so while it is away we send it little (a request and a withdrawal per
  // acquire timeout): only a peer that lets hours of traffic pile up, or a hostile one, fills it.
  static constexpr std::size_t kHeld = 3072;
  // Blocks in the window and the held queue together, at most: frames are bounded in count
  // above and in bytes on the wire (max_peer_frame); this bounds the blocks they carry
  // (about 300 bytes each in memory), so the session holds some 20 MB at the very most.
  static constexpr std::size_t kMaxBlocks = 65536;

  // up: the session is up (restarted: to a new peer incarnation, whose predecessor's
  // messages are void). greeted: the peer's current incarnation addressed a frame to ours,
  // so it had learned of us before sending it, and the frame's clock covers every stamp the
  // peer had seen from our earlier incarnations. reset: we overflowed and started over
  // under a new link incarnation: everything sent either way before is void, as if the
  // peer had restarted.
  // `height`: a heartbeat told the peer's chain height (see HeartbeatMsg).
  enum class EventKind { up, restarted, down, stopped, genesis_mismatch, greeted, reset, height };
  struct Event {
    EventKind kind;
    Lamport lamport = 0;        // the peer's clock, from its hello
    std::uint64_t height = 0;   // the peer's chain height, from its hello
    std::uint64_t incarnation = 0;
    std::string head = {};      // the hash of the peer's block `height`, from its hello
  };
  struct Output {
    std::vector<PeerMessage> wire;     // frames to send to the peer
    std::vector<PeerMessage> deliver;  // sequenced messages received, in order
    std::vector<Event> events;
    // The highest `lamport` of the frames the session took: only they may move a clock (a
    // frame dropped as a duplicate, a gap or another incarnation's moves nothing).
    Lamport clock = 0;
  };

  LinkSession(NodeId self, NodeId peer, std::uint64_t incarnation, std::string genesis, LinkTimings timings);

  void send(PeerBody body, Lamport lamport, std::int64_t now, Output& out);
  void receive(const PeerMessage& m, std::int64_t now, Output& out);
  // Hellos until the peer knows us, heartbeats, resends, and the down detector.
  // `lamport` goes into hellos.
  void tick(std::int64_t now, Lamport lamport, Output& out);
  // We are stopping: a bye for a peer that knows us, so it counts us down at once.
  void bye(Output& out) const {
    if (established()) out.wire.push_back(frame(ByeMsg{}, lamport_, 0));
  }
  // Our chain height and head (the hash of block `height`), announced in hellos.
  void set_height(std::uint64_t height, std::string head) {
    height_ = height;
    head_ = std::move(head);
  }

  bool established() const { return peer_inc_ != 0 && !mismatch_; }
  bool up() const { return up_; }
  bool genesis_mismatch() const { return mismatch_; }
  std::uint64_t peer_incarnation() const { return peer_inc_; }
  std::size_t unacked() const { return unacked_.size(); }
  std::size_t held() const { return held_.size(); }
  // Our incarnation on this link: the node's, plus one for each reset.
  std::uint64_t incarnation() const { return inc_; }
  // The newest clock value the session knows (taken frames, sends, ticks).
  Lamport clock() const { return lamport_; }

  // The time of the call that follows, in microseconds on the host's clock: only round
  // trips read it; the timers keep to the `now` (ms) each call is given.
  void set_now_us(std::int64_t now_us) { now_us_ = now_us; }
  std::uint64_t resends() const { return resends_; }
  const Histogram& rtt_us() const { return rtt_us_; }

 private:
  PeerMessage frame(PeerBody body, Lamport lamport, std::uint64_t seq) const;
  void transmit_unacked(std::int64_t now, Output& out);
  void go_back(std::uint64_t ack, std::int64_t now, Output& out);
  void probe(std::int64_t now, Output& out);
  void hello(std::int64_t now, Lamport lamport, Output& out);
  void on_hello(const PeerMessage& m, std::int64_t now, Output& out);
  void heard(std::int64_t now, Lamport lamport, Output& out);
  void take(Lamport lamport, Output& out);
  void greet(Lamport lamport, Output& out);
  void admit(std::int64_t now, Output& out);
  void overflow(std::int64_t now, Output& out);
  static std::size_t blocks_in(const PeerMessage& m);

  NodeId self_, peer_;
  std::uint64_t inc_;
  std::string genesis_;
  LinkTimings t_;

  std::uint64_t peer_inc_ = 0;
  bool peer_knows_me_ = false;
  bool up_ = false;
  bool mismatch_ = false;

  std::uint64_t next_seq_ = 1;
  std::deque<PeerMessage> unacked_;  // seq ascending: the window, on the wire
  std::deque<PeerMessage> held_;     // seq ascending, after the window: not sent yet
  std::size_t blocks_ = 0;           // blocks carried by unacked_ and held_
  std::uint64_t received_ = 0;       // highest seq delivered in order
  bool ack_owed_ = false;
  // The highest seq dropped after a gap since the last tick: while the gap is still open
  // (received_ below it) the tick says so with a nack, even if another frame carried the
  // ack meanwhile, so the sender resends at once; a gap filled before the tick gets an ack.
  std::uint64_t gap_top_ = 0;
  // The ack the window was last sent again from (after a nack or a probe): one go-back-N
  // per gap, whatever the number of nacks the frames after it bring (kNoAck: none yet).
  static constexpr std::uint64_t kNoAck = UINT64_MAX;
  std::uint64_t fast_from_ = kNoAck;
  // When a nack last sent the window again: at most one such resend per resend_ms / 4, so a
  // peer that acks one frame at a time and nacks each cannot have the window sent back to
  // back (the probe's rule bounds the rest: one window per ack that moves after a stall).
  std::int64_t last_fast_ = -1'000'000'000;
  // A stall: resend_ms passed without progress and only the oldest unacked frame went again
  // (a probe); the first ack that moves sends the rest of the window again (see tick()).
  bool probing_ = false;

  std::int64_t last_sent_ = -1'000'000'000;
  std::int64_t last_heard_ = 0;
  std::int64_t last_progress_ = 0;
  Lamport lamport_ = 0;   // newest clock value we know, for hellos sent on receipt
  std::uint64_t height_ = 0;
  std::string head_;  // the hash of our block height_ (genesis until set_height says more)
  std::uint64_t peer_height_ = 0;  // from the peer's latest hello
  std::string peer_head_;

  // Metrics.
  std::int64_t now_us_ = 0;
  std::uint64_t resends_ = 0;
  std::uint64_t probe_seq_ = 0;  // the frame being timed (0: none)
  std::int64_t probe_us_ = 0;    // when it was sent
  Histogram rtt_us_{Histogram::kMicros};
};

}  // namespace bank
