// LinkSession: one reliable FIFO session with one peer, as a pure core.
//
// Sequenced messages get per-direction numbers (1, 2, ...) and stay in a resend buffer
// until the peer's cumulative ack covers them; received ones are delivered strictly in
// order, duplicates and gaps dropped (the sender resends after `resend_ms` without
// progress: go-back-N). Hellos announce an incarnation and the genesis hash; a session
// starts when the peer's hello arrives, and a hello with a newer incarnation means the peer
// restarted: both directions start over and the layer above is told. Every frame carries
// the receiver incarnation it is meant for, so nothing of an old session leaks into a new one.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "messages/peer_message.hpp"

namespace bank {

struct LinkTimings {
  std::int64_t heartbeat_ms = 250;      // hello/heartbeat period when idle
  std::int64_t resend_ms = 200;         // resend the unacked after this long without progress
  std::int64_t peer_timeout_ms = 1500;  // silent this long: the peer is down
};

class LinkSession {
 public:
  enum class EventKind { up, restarted, down, genesis_mismatch };
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
  };

  LinkSession(NodeId self, NodeId peer, std::uint64_t incarnation, std::string genesis, LinkTimings timings);

  void send(PeerBody body, Lamport lamport, std::int64_t now, Output& out);
  void receive(const PeerMessage& m, std::int64_t now, Output& out);
  // Hellos until the peer knows us, heartbeats, resends, and the down detector.
  // `lamport` goes into hellos.
  void tick(std::int64_t now, Lamport lamport, Output& out);
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

 private:
  PeerMessage frame(PeerBody body, Lamport lamport, std::uint64_t seq) const;
  void transmit_unacked(std::int64_t now, Output& out);
  void hello(std::int64_t now, Lamport lamport, Output& out);
  void on_hello(const PeerMessage& m, std::int64_t now, Output& out);
  void heard(std::int64_t now, Lamport lamport, Output& out);

  NodeId self_, peer_;
  std::uint64_t inc_;
  std::string genesis_;
  LinkTimings t_;

  std::uint64_t peer_inc_ = 0;
  bool peer_knows_me_ = false;
  bool up_ = false;
  bool mismatch_ = false;

  std::uint64_t next_seq_ = 1;
  std::deque<PeerMessage> unacked_;  // seq ascending
  std::uint64_t received_ = 0;       // highest seq delivered in order
  bool ack_owed_ = false;

  std::int64_t last_sent_ = -1'000'000'000;
  std::int64_t last_heard_ = 0;
  std::int64_t last_progress_ = 0;
  Lamport lamport_ = 0;   // newest clock value we know, for hellos sent on receipt
  std::uint64_t height_ = 0;
  std::string head_;  // the hash of our block height_ (genesis until set_height says more)
  std::uint64_t peer_height_ = 0;  // from the peer's latest hello
  std::string peer_head_;
};

}  // namespace bank
