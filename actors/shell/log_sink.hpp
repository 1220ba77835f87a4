// LogSink: the node's structured log (CONTRACT section 6). One JSON object per line with
// ts (UTC, RFC 3339, microseconds), node, lamport, event, then the event's fields; written
// and flushed under a lock, so lines from actor threads never interleave and `tail -f | jq`
// sees each line as it happens.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "messages/bus_message.hpp"

namespace bank {

class LogSink {
 public:
  LogSink(std::FILE* out, NodeId node);
  void write(const LogOut& e);
  static std::string rfc3339_now();

 private:
  std::mutex mu_;
  std::FILE* out_;
  NodeId node_;
};

}  // namespace bank
