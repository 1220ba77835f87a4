// NetworkCore: the network actor's pure core. Decodes peer frames (a bad one is logged
// and dropped), runs one LinkSession per peer, hands sequenced messages to the mutex in
// order, reports links up/down/restarted, encodes what goes out, and logs every peer
// message sent or received.
#pragma once

#include <map>

#include "actors/network/link_session.hpp"
#include "messages/bus_message.hpp"

namespace bank {

class NetworkCore {
 public:
  NetworkCore(NodeId self, std::vector<NodeId> peers, std::uint64_t incarnation, std::string genesis,
              LinkTimings timings = {});

  void step(const BusMessage& in, Outbox& out);

  const LinkSession* session(NodeId peer) const;
  // We are stopping: a bye to every peer that knows us (WireOut), logged like any frame.
  void goodbye(Outbox& out);
  // Our chain height and head, announced in hellos.
  void set_height(std::uint64_t height, const std::string& head);

 private:
  void flush(NodeId peer, LinkSession::Output& o, Outbox& out);

  NodeId self_;
  std::map<NodeId, LinkSession> sessions_;
  Lamport lamport_ = 0;  // the highest clock value seen going out or coming in
  std::int64_t now_ms_ = 0;
};

}  // namespace bank
