// FeedFollower: follows every node of a cluster config through its console's event feed for
// a while, as bank-trace --config FILE --seconds S does: a page from each node in turn, again
// at once when a page came full, else every 200 ms, until the time is up. It talks as a
// client whose key the nodes know (by default each node's owner key, as bank-cli does; any
// known client key may read the feed). A node that does not answer is said once and asked
// again; one that refuses the command ends the follow with its answer.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include <zmq.hpp>

#include "apps/trace/feed_cursor.hpp"
#include "apps/trace/trace_reader.hpp"
#include "config/cluster_config.hpp"
#include "messages/result.hpp"

namespace bank::trace {

class FeedFollower {
 public:
  // `key`: a client secret key file for every node, or none (each node's owner key).
  FeedFollower(const ClusterConfig& config, std::optional<std::filesystem::path> key)
      : config_(config), key_(std::move(key)) {}

  // Adds what came to `reader`; progress lines go to `progress` (stderr) unless null.
  // Errors: keys.* (a key file), trace.feed_refused, trace.bad_reply, trace.no_answer (no
  // node answered at all).
  std::optional<Error> follow(std::chrono::milliseconds how_long, const std::function<bool()>& stop,
                              TraceReader& reader, std::FILE* progress);

 private:
  const ClusterConfig& config_;
  std::optional<std::filesystem::path> key_;
};

}  // namespace bank::trace
