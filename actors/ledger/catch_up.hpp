// CatchUp: the ledger's bookkeeping for fetching blocks it lacks: peers' heights as they
// announced them, hints of heights heard in requests and replies, and which peer was asked
// from which index (so that an answer nobody asked for is known as such). Pure; LedgerCore
// asks it whom to ask and whether it may append.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "messages/bus_message.hpp"

namespace bank {

class CatchUp {
 public:
  struct Ask {
    NodeId peer = 0;
    std::uint64_t from = 0;  // the first index asked for
  };

  // A height from a hello, or the last block of a release we refused (it was meant for our
  // previous incarnation): a reason to fetch at once. A new incarnation may hold less than
  // its old self and has forgotten what we asked it.
  void heard(const PeerHeight& h);
  // A height from a request or a reply, or the gap before a block that came early: the
  // blocks behind it are most likely on their way in a release on another link, so it is
  // asked for only if still ahead a tick later.
  void hint(NodeId peer, std::uint64_t height, std::uint64_t ours);
  // Each tick: a hint from before the previous tick that we still lag becomes a height.
  void promote(std::uint64_t ours);

  // Whether some peer announced more blocks than we hold.
  bool behind(std::uint64_t ours) const;
  // The ask to send now: to the highest peer, from our next index; nullopt when we are not
  // behind or that very ask is already on its way.
  std::optional<Ask> next_ask(std::uint64_t ours);
  // Whether a block answer from `peer` answering a sync from index `from` answers an ask we
  // sent and have not had answered yet; takes that ask. False: nobody asked, drop it.
  bool solicited(NodeId peer, std::uint64_t from);
  // Whether a hint still names a height above ours (a release that never came).
  bool hinted_ahead(std::uint64_t ours) const;

  // An answer from `peer` whose first block is `first` (nullopt: no blocks) and whose sender
  // holds `height`. Returns false for a stale answer (to an ask since made again), which
  // neither ends that ask nor judges the peer.
  bool answered(NodeId peer, std::optional<std::uint64_t> first, std::uint64_t height);
  // A peer that sent nothing new, or a block we refused, cannot help further: count it at
  // `height` and drop its hints, which would otherwise hold a grant for good.
  void give_up(NodeId peer, std::uint64_t height);

 private:
  std::map<NodeId, std::uint64_t> peer_heights_;
  std::map<NodeId, std::uint64_t> asked_;      // peer -> the index we asked from
  std::map<NodeId, std::uint64_t> hints_new_;  // since the last tick
  std::map<NodeId, std::uint64_t> hints_due_;  // from before it: promoted at the next tick
  // Asks sent and not yet answered, (peer, from index) -> how many. An ask the network
  // dropped (its peer restarted meanwhile) is never answered: at most kMaxOpenAsks per peer
  // are kept, the lowest index forgotten first (it is the oldest: our height only grows).
  static constexpr std::size_t kMaxOpenAsks = 32;
  std::map<std::pair<NodeId, std::uint64_t>, std::uint32_t> open_asks_;
};

}  // namespace bank
