// MutexCore: Lamport's distributed mutual exclusion as a pure core.
//
// Clock: +1 before each send, max(own, received)+1 on each receive. Queue: every known
// request ordered by (ts, node). Entry: our request heads our queue and from every peer we
// have received a message stamped later than it (links are FIFO, so nothing earlier of
// theirs is still on the way); the messages that count are the peer's request, its reply
// to our current request and its release of a queued request (see on_peer for why).
// A request is answered with a reply only by a node without a request of its own out; one
// with a request out lets that request, or its release, be the later stamp (on_peer says
// why), so a loaded entry costs 2(N-1) messages instead of 3(N-1).
// Releases carry the blocks appended inside; a release whose request is not yet at the
// head of our queue waits there, so blocks apply in entry order even when releases from
// different peers cross.
//
// No request is stamped before every peer has greeted us (LinkUp.greeting: a frame it
// addressed to this incarnation, so sent after it knew of it): its clock lifts ours above
// every stamp the peer had seen, so a restarted node never stamps below what its previous
// incarnation sent. A hello addressed to an earlier incarnation brings the link up but
// does not greet.
//
// A peer whose chain the ledger found diverged from ours (Diverged) is cut off for the rest
// of this incarnation: its messages are dropped unapplied, nothing is sent to it, its
// requests leave the queue, and no entry happens while any peer is diverged (every entry
// needs every peer; the bank refuses transfers meanwhile). Only its syncs are still
// answered: reading our history changes nothing here and lets it find the divergence too.
//
// Metrics (docs/console-protocol.md#metrics): requests, entries and withdrawals counted;
// how long each request waited for its entry and each entry held the section, on the time
// the host gives each step (set_now_us); the queue's depth.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "messages/bus_message.hpp"

namespace bank {

class MutexCore {
 public:
  // The entry decision, injectable so that the simulation can prove it catches a wrong one.
  using EntryRule = bool (*)(const MutexCore&);
  static bool lamport_rule(const MutexCore& m);

  enum class State { idle, requested, holding };

  // Releases of one peer waiting for their requests to head our queue, at most. A release
  // waits only while a request ahead of it has not been released here yet (its release is
  // on another link): a few per peer at most in any real run. Past it a release is refused
  // as one for an unknown request (its blocks are fetched by the ledger), so a faulty peer
  // cannot grow the queue: with one unreleased request per peer (see on_peer), the queue
  // holds at most (1 + this) entries per peer.
  static constexpr long kMaxWaitingReleases = 64;
  // A peer's request that replaces an earlier unreleased one of its is logged as `error` (a
  // faulty peer sends one; so does a healthy one whose release was refused past
  // kMaxWaitingReleases); a flood of them at most once this often per peer (time from Tick),
  // with how many there were, so it cannot fill the disk.
  static constexpr std::int64_t kReplacedLogEveryMs = 1000;

  MutexCore(NodeId self, std::vector<NodeId> peers, EntryRule rule = &lamport_rule);

  void step(const BusMessage& in, Outbox& out);
  // The time of the input about to be stepped, in microseconds on the host's monotonic clock
  // (the one Tick counts on; a Tick sets it too). Only the metrics' durations read it, no
  // rule of the algorithm does; it never moves back.
  void set_now_us(std::int64_t now_us) { now_us_ = std::max(now_us_, now_us); }

  Lamport clock() const { return clock_; }
  State state() const { return state_; }
  bool holding() const { return state_ == State::holding; }
  // An Acquire not yet turned into a request (the last critical section is still being
  // left, or not every peer has greeted us yet).
  bool wanted() const { return wanted_; }
  const std::optional<Stamp>& own() const { return own_; }
  const std::set<Stamp>& queue() const { return queue_; }
  const std::vector<NodeId>& peers() const { return peers_; }
  // True when `peer` has sent a message stamped later than our request.
  bool heard_after_own(NodeId peer) const;
  // Peers we still wait for: no later stamp from them yet, their link is down, or their
  // request is ahead of ours in the queue and not released yet.
  std::vector<NodeId> silent() const;
  bool link_up(NodeId peer) const;
  const std::set<NodeId>& diverged() const { return diverged_; }

 private:
  void on_peer(const PeerIn& p, Outbox& out);
  void on_link_up(const LinkUp& u, Outbox& out);
  void maybe_request(Outbox& out);
  void release(const Release& r, Outbox& out);
  void withdraw(Outbox& out);
  void send(NodeId to, PeerBody body, Outbox& out);
  void apply_ready_releases(Outbox& out);
  void try_enter(Outbox& out);
  void hear(NodeId from, Lamport ts);
  void cut_off(NodeId peer, Outbox& out);
  void note_replaced(NodeId peer, Outbox& out);
  void log_replaced(NodeId peer, Outbox& out);
  void queued();
  void metrics(MetricsQuery q, Outbox& out) const;

  NodeId self_;
  std::vector<NodeId> peers_;
  EntryRule rule_;
  Lamport clock_ = 0;
  State state_ = State::idle;
  bool wanted_ = false;
  std::optional<Stamp> own_;
  std::set<Stamp> queue_;
  std::map<NodeId, Stamp> heard_;  // latest counted stamp from each peer over its FIFO session
  std::map<NodeId, bool> up_;
  std::set<NodeId> greeted_;  // peers that addressed a frame to this incarnation (LinkUp.greeting)
  std::map<NodeId, std::uint64_t> peer_inc_;  // each peer's incarnation, as LinkUp told us
  std::uint64_t known_height_ = 0;              // our chain's height: LocalHeight and blocks applied
  std::map<NodeId, std::uint64_t> told_height_; // the highest height each peer has told us
  std::map<NodeId, std::string> refused_;  // peers whose link is refused, and why
  std::set<NodeId> down_;  // peers declared down (LinkDown) or refused since they were last up
  std::set<NodeId> diverged_;              // peers whose chain diverged from ours: cut off
  struct PendingRelease {
    NodeId from;
    Lamport lamport;
    std::vector<Block> blocks;
  };
  std::map<Stamp, PendingRelease> releases_;  // arrived, waiting for their request to head the queue
  // Replaced requests per peer: not yet logged, and when the last line about them went out.
  struct Replaced {
    std::uint64_t unlogged = 0;
    std::optional<std::int64_t> logged_ms;
  };
  std::map<NodeId, Replaced> replaced_;
  std::int64_t now_ms_ = 0;  // from the latest Tick

  // Metrics.
  std::int64_t now_us_ = 0;
  std::int64_t requested_us_ = 0;  // when our request was stamped
  std::int64_t entered_us_ = 0;    // when it was granted
  std::uint64_t requests_ = 0, entries_ = 0, withdrawals_ = 0;
  std::size_t queue_max_ = 0;
  Histogram wait_us_{Histogram::kMicros};  // request stamped -> entry
  Histogram hold_us_{Histogram::kMicros};  // entry -> release (exit)
};

}  // namespace bank
