// FeedCursor: where bank-trace is in one node's event feed (the console's `events` command,
// docs/console-protocol.md): the request for the next page, and the page a reply holds, its
// events decoded as log lines are. Pure: FeedFollower does the asking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "apps/trace/trace_event.hpp"
#include "messages/result.hpp"

namespace bank::trace {

class FeedCursor {
 public:
  static constexpr std::uint64_t kLimit = 1000;  // the most events the node gives per page

  // `source`: the number the events carry for ordering (TraceReader::next_source()).
  FeedCursor(NodeId node, std::size_t source) : node_(node), source_(source) {}

  // {"cmd":"events","since":S,"limit":1000}: the events after the last one taken.
  std::string request() const;

  struct Page {
    std::vector<TraceEvent> events;  // oldest first
    std::uint64_t missed = 0;  // events the node dropped from its ring before we read them
    bool full = false;         // as many as asked for: more may be waiting
  };
  // The node's reply. trace.feed_refused: the node said no (its status and error: an older
  // node answers `rejected` to an unknown command); trace.bad_reply: not a feed reply.
  Result<Page> take(std::string_view reply);

  NodeId node() const { return node_; }
  std::uint64_t since() const { return since_; }
  std::uint64_t taken() const { return taken_; }
  std::uint64_t missed() const { return missed_; }
  // The oldest seq the node still kept at the first reply: above 1, it had dropped older ones.
  std::uint64_t first_kept() const { return first_kept_; }

 private:
  NodeId node_;
  std::size_t source_;
  std::uint64_t since_ = 0, taken_ = 0, missed_ = 0, first_kept_ = 0;
};

}  // namespace bank::trace
