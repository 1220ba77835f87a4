// NetworkCore: the network actor's pure core. Decodes peer frames (a bad one is logged
// and dropped), runs one LinkSession per peer, hands sequenced messages to the mutex in
// order, reports links up/down/restarted, encodes what goes out, and logs every peer
// message sent or received (marking the mutex's messages for the event feed).
//
// Metrics, per peer: whether the link is up, frames unacknowledged, frames resent, round
// trips (LinkSession) and how often the link was lost (peer_down: silent, or stopped).
#pragma once

#include <algorithm>
#include <map>

#include "actors/network/link_session.hpp"
#include "messages/bus_message.hpp"

namespace bank {

class NetworkCore {
 public:
  NetworkCore(NodeId self, std::vector<NodeId> peers, std::uint64_t incarnation, std::string genesis,
              LinkTimings timings = {});

  void step(const BusMessage& in, Outbox& out);
  // The time of the input about to be stepped, in microseconds on the host's monotonic clock
  // (the one Tick counts on; a Tick sets it too): round trips only. It never moves back.
  void set_now_us(std::int64_t now_us) { now_us_ = std::max(now_us_, now_us); }

  const LinkSession* session(NodeId peer) const;
  // We are stopping: a bye to every peer that knows us (WireOut), logged like any frame.
  void goodbye(Outbox& out);
  // Our chain height and head, announced in hellos.
  void set_height(std::uint64_t height, const std::string& head);

 private:
  void flush(NodeId peer, LinkSession::Output& o, Outbox& out);
  LinkSession& timed(LinkSession& s) const;
  void metrics(MetricsQuery q, Outbox& out) const;

  NodeId self_;
  std::map<NodeId, LinkSession> sessions_;
  Lamport lamport_ = 0;  // the highest clock value seen going out or coming in
  std::int64_t now_ms_ = 0;
  std::int64_t now_us_ = 0;
  std::map<NodeId, std::uint64_t> losses_;  // link_losses per peer
  std::map<NodeId, std::uint64_t> sent_;    // frames_sent per peer
};

}  // namespace bank
