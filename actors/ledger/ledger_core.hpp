// LedgerCore: the ledger actor's pure core. Owns the chain; keeps the transfers the bank
// stages for our next critical section and, when granted, appends up to `batch` of them
// (one block each, one sync) and releases; appends peers' blocks that arrive with their
// release; answers chain, verify, status, retry and catch-up (sync) requests. The bank's
// Acquire and Withdraw pass through here on their way to the mutex, in order with its
// Stage and Unstage.
#pragma once

#include <deque>
#include <map>
#include <optional>

#include "actors/ledger/chain.hpp"
#include "config/cluster_config.hpp"
#include "messages/bus_message.hpp"

namespace bank {

class LedgerCore {
 public:
  LedgerCore(NodeId self, Chain chain, std::size_t batch = ClusterConfig::kDefaultBatch);

  void step(const BusMessage& in, Outbox& out);

  const Chain& chain() const { return chain_; }

  // At most this many blocks per catch-up answer.
  static constexpr std::uint64_t sync_batch = 256;
  // Blocks re-checked per step of a verify (about 10 ms here).
  static constexpr std::uint64_t verify_batch = 2048;

 private:
  void enter(const Granted& g, Outbox& out);
  void apply_peer(const ApplyBlocks& a, Outbox& out);
  void on_peer(const PeerIn& p, Outbox& out);
  void recall(const Recall& r, Outbox& out);
  void log_commit(const Block& b, Lamport lamport, Outbox& out);
  void catch_up(Outbox& out);
  void hint(NodeId peer, std::uint64_t height);
  void promote_hints();
  void start_verify(std::uint64_t client, Outbox& out);
  void verify_slice(Outbox& out);
  void verify_failed(std::uint64_t client, const Error& e, Outbox& out);

  NodeId self_;
  Chain chain_;
  std::size_t batch_;
  std::deque<Tx> staged_;  // the bank's transfers for our next critical sections, in order
  Lamport lamport_ = 0;  // the newest clock value the mutex told us, for log lines
  // Peers' blocks that arrived ahead of a gap. Releases from different peers can cross on
  // the way here (the mutex orders those it knows of, but a request may still be in
  // transit), so a block waits until the blocks before it have come.
  std::map<std::uint64_t, std::pair<NodeId, Block>> early_;
  // Catching up after a (re)start: peers' heights as they announced them, which peer we
  // asked for blocks, and a grant held back until we have every block they have (a node
  // that crashed inside its critical section after persisting its block must see that
  // block reach us before we append).
  std::map<NodeId, std::uint64_t> peer_heights_;
  std::map<NodeId, std::uint64_t> asked_;  // peer -> the index we asked from
  std::optional<Granted> held_grant_;
  // Heights heard in requests and replies, and gaps before early blocks: hints, not yet
  // reasons to ask. In normal running the blocks behind them are in a release still on its
  // way (releases from different peers cross); asking at once fetched them twice. A hint
  // still ahead of us a full tick later is asked for (the rare release that never comes:
  // one sent to our previous incarnation).
  std::map<NodeId, std::uint64_t> hints_new_;  // since the last tick
  std::map<NodeId, std::uint64_t> hints_due_;  // from before it: promoted at the next tick
  // Console verifies under way, the first one being checked: its state so far and the
  // next block to re-read.
  struct Verification {
    std::uint64_t client = 0;
    ChainState state;
    std::uint64_t next = 1;
  };
  std::deque<Verification> verifying_;
};

}  // namespace bank
