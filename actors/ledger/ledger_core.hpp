// LedgerCore: the ledger actor's pure core. Owns the chain; keeps the transfers the bank
// stages for our next critical section and, when granted, appends up to `batch` of them
// (one block each, one sync) and releases; appends peers' blocks that arrive with their
// release; answers chain, verify, status, retry and catch-up (sync) requests. The bank's
// Acquire and Withdraw pass through here on their way to the mutex, in order with its
// Stage and Unstage.
//
// Forks are found, not extended: a peer's head (from its hello or a catch-up answer) is
// compared with our block at that index as soon as we hold one, and a peer block at or
// below our height, or one at height + 1 whose prev is not our head, is compared with ours.
// A difference is a divergence (a gap or a lag is not: a block above height + 1 waits, a
// head above our height waits until we hold that index). Then this node logs `diverged`,
// tells the mutex (which cuts the peer off) and the bank (which refuses transfers), and
// appends nothing more, own or peers', for the rest of this incarnation.
#pragma once

#include <deque>
#include <map>
#include <optional>

#include "actors/ledger/catch_up.hpp"
#include "actors/ledger/chain.hpp"
#include "actors/ledger/chain_verifier.hpp"
#include "config/cluster_config.hpp"
#include "messages/bus_message.hpp"
#include "security/signer.hpp"

namespace bank {

class LedgerCore {
 public:
  // With a signer, the last block of each of our batches carries our signature (the chain
  // then also asks peers' batches for theirs: Chain::signed_blocks).
  LedgerCore(NodeId self, Chain chain, std::size_t batch = ClusterConfig::kDefaultBatch,
             std::optional<Signer> signer = std::nullopt);

  void step(const BusMessage& in, Outbox& out);

  const Chain& chain() const { return chain_; }
  // Peers whose chain diverged from ours -> the index where they were seen to differ.
  const std::map<NodeId, std::uint64_t>& diverged() const { return diverged_; }

  // At most this many blocks per catch-up answer (and at most max_frame_blocks_bytes).
  static constexpr std::uint64_t sync_batch = 256;
  // Peers' blocks held past a gap, at most this far above our height: a release carries
  // at most some 3,000 (max_peer_frame), and a few releases may cross. One further ahead is
  // dropped and fetched by catch-up when its turn comes, so a faulty peer cannot grow early_.
  static constexpr std::uint64_t max_early_ahead = 65536;

 private:
  void enter(const Granted& g, Outbox& out);
  void sync();
  void metrics(MetricsQuery q, Outbox& out);
  void apply_peer(const ApplyBlocks& a, bool released, Outbox& out);
  void append_early(Outbox& out);
  void on_peer(const PeerIn& p, Outbox& out);
  void on_answer(NodeId from, Lamport lamport, const BlocksMsg& b, Outbox& out);
  void on_height(const PeerHeight& h, Outbox& out);
  void recall(const Recall& r, Outbox& out);
  void log_commit(const Block& b, Lamport lamport, Outbox& out);
  void catch_up(Outbox& out);
  void note_head(NodeId peer, std::uint64_t height, const std::string& head, Outbox& out);
  void compare_heads(Outbox& out);
  void compare(NodeId peer, std::uint64_t index, const std::string& theirs, Outbox& out);
  void diverge(NodeId peer, std::uint64_t index, const std::string& ours, const std::string& theirs, Outbox& out);
  std::string hash_at(std::uint64_t index) const;

  NodeId self_;
  Chain chain_;
  std::size_t batch_;
  std::optional<Signer> signer_;
  std::deque<Tx> staged_;  // the bank's transfers for our next critical sections, in order
  Lamport lamport_ = 0;  // the newest clock value the mutex told us, for log lines
  // Peers' blocks that arrived ahead of a gap. Releases from different peers can cross on
  // the way here (the mutex orders those it knows of, but a request may still be in
  // transit), so a block waits until the blocks before it have come.
  std::map<std::uint64_t, std::pair<NodeId, Block>> early_;
  // Catching up after a (re)start, or past a release that never came: whom to ask, and a
  // grant held back until we have every block a peer has (a node that crashed inside its
  // critical section after persisting its block must see that block reach us before we
  // append).
  CatchUp catch_up_;
  std::optional<Granted> held_grant_;
  ChainVerifier verifier_;
  // Peers' heads above our height (index, hash), compared once we hold that index.
  std::map<NodeId, std::pair<std::uint64_t, std::string>> heads_;
  std::map<NodeId, std::uint64_t> diverged_;  // peer -> the index where our chains differ
  // Metrics: blocks appended per entry of ours, and how long the store's syncs took (the
  // store times them: this core reads no clock).
  Histogram per_entry_{Histogram::kPerEntry};
  Histogram fsync_us_{Histogram::kMicros};
};

}  // namespace bank
