// LogSink: the node's structured log (docs/file-formats.md#structured-log). One JSON object per line with
// ts (UTC, RFC 3339, microseconds), node, lamport, event, then the event's fields. Lines are
// put in a buffer under a lock, so lines from actor threads never interleave, and written
// out by flush(): the actor thread flushes once it has handled what woke it, before it
// waits again, so `tail -f | jq` sees a line within the step that made it, at one write per
// step instead of one per line. cs_enter and cs_exit are written out at once.
// With an EventFeed, the lines it keeps go to it too, with the same timestamp, under the
// same lock: the feed numbers events in the order of the log.
#pragma once

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "config/cluster_config.hpp"
#include "messages/bus_message.hpp"
#include "runtime/event_feed.hpp"

namespace bank {

class LogSink {
 public:
  // `detail`: which send/recv lines are written (LogDetail); every other event always is.
  // `feed`: where the events it keeps go too, whatever `detail` leaves out of the file.
  LogSink(std::FILE* out, NodeId node, LogDetail detail = LogDetail::protocol, EventFeed* feed = nullptr);
  ~LogSink() { flush(); }
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;
  void write(const LogOut& e);
  void flush();
  // Log rotation (SIGHUP): what is buffered goes to the old file, every later line to `out`.
  // Returns the old file for the caller to close.
  std::FILE* replace(std::FILE* out);
  static std::string rfc3339_now();
  // `us` microseconds since the epoch (not before it) as RFC 3339 UTC with microseconds. The
  // date and time of day are formatted once a second per thread and reused.
  static std::string rfc3339(std::int64_t us);
  // Bytes written out so far (the log_bytes metric); read from any thread.
  std::uint64_t bytes_written() const { return bytes_written_.load(std::memory_order_relaxed); }

 private:
  static constexpr std::size_t kFlushBytes = 1 << 16;  // a step that logs more writes as it goes
  void write_out();  // with mu_ held

  std::mutex mu_;
  std::string buffer_;
  std::FILE* out_;
  NodeId node_;
  LogDetail detail_;
  EventFeed* feed_;
  std::atomic<std::uint64_t> bytes_written_{0};
};

}  // namespace bank
