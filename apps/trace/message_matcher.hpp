// MessageMatcher: pairs each message's send with its receive by MessageKey, so the picture
// can draw one arrow per message. A message sent more than once (the link layer resends
// what is not acknowledged) or received more than once (a duplicate) is still one arrow,
// from its first send to its first receipt; what has only one end among the events given
// (lost, still in flight, or its other end outside the window or the logs read) is counted.
#pragma once

#include <cstddef>
#include <vector>

#include "apps/trace/trace_event.hpp"

namespace bank::trace {

struct Arrow {
  std::size_t send = 0;  // index of the first send event
  std::size_t recv = 0;  // index of the first recv event
  std::size_t sends = 1;  // how often it was sent (resends)
  std::size_t recvs = 1;  // how often it arrived (duplicates)
};

struct Matching {
  std::vector<Arrow> arrows;  // in the order of their sends
  std::size_t unmatched_sends = 0;  // messages sent, never received among the events
  std::size_t unmatched_recvs = 0;  // messages received whose send is not among them
  std::size_t resends = 0;          // extra sends of matched or unmatched messages
  std::size_t duplicates = 0;       // extra receipts
};

class MessageMatcher {
 public:
  // `events` in trace order; indices refer to it.
  static Matching match(const std::vector<TraceEvent>& events);
};

}  // namespace bank::trace
