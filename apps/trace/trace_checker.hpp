// TraceChecker: what the events of a run must show if Lamport's mutual exclusion held
// (docs/tracing.md#what---check-checks):
//   overlap  no two nodes' [cs_enter, cs_exit] intervals overlap in time (a node that
//            stopped inside its critical section holds it until its stop, or its last event
//            before it started again; one still inside when the events end holds it to
//            their end);
//   stamp    a node enters only after it has received, from every other node, a message
//            stamped later than its request (a request, a reply to this request, or a
//            release), as its mutex counts them;
//   queue    ... and only when its request heads its queue: no earlier request it received
//            is still unreleased (unless that peer's link went down, came up or restarted
//            since, which empties the queue of its requests);
//   order    every node commits the same transaction at each block index.
// It never guesses: an entry whose request was sent before the first event read (a feed that
// dropped old events) is not judged by the stamp rule, and is counted as such.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "apps/trace/trace_event.hpp"

namespace bank::trace {

struct Violation {
  std::string rule;  // overlap, stamp, queue, order
  std::string text;  // one line for people
  std::vector<std::size_t> events;  // the events it is about (indices)
  std::int64_t at_us = 0;           // when it happened: the entry, the later commit
};

struct CheckReport {
  std::vector<Violation> violations;  // by the time they happened, then rule
  std::size_t entries = 0;     // cs_enter events
  std::size_t unjudged = 0;    // entries the stamp rule could not judge
  std::size_t blocks = 0;      // distinct block indices committed
  std::size_t commits = 0;     // commit events
  std::size_t nodes = 0;
  bool ok() const { return violations.empty(); }
  // "ok: 14 entries, 10 commits checked" or "3 violations: 2 overlap, 1 stamp (...)"
  std::string summary() const;
};

class TraceChecker {
 public:
  // `events` in trace order (TraceReader::take_events).
  static CheckReport check(const std::vector<TraceEvent>& events);
};

}  // namespace bank::trace
