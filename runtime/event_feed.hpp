// EventFeed: a node's newest protocol events, numbered, for a follower on another host that
// has no access to the node's log files (the console's `events`,
// docs/console-protocol.md#events). The LogSink hands it every line it keeps, with the
// timestamp it wrote, so an event reads exactly as its log line plus "seq": 1, 2, 3, ...
// from the node's start.
//
// Kept: send and recv of the mutex's messages (request, reply, release; a release's blocks
// counted, not copied), cs_enter, cs_exit, commit, abort, peer_up, peer_down. Not kept: the
// link's hellos, heartbeats and acks, catch-up traffic, errors and the rest of the log.
//
// Bounded: the newest kCapacity events, each one line of JSON of a few hundred bytes, in
// slots that are reused as the ring wraps (no allocation per event once it is full).
// Threading rule: push() and read() may come from different actor threads; a mutex of the
// feed's own orders them (push() is called under the LogSink's lock, read() never takes it).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "messages/bus_message.hpp"

namespace bank {

class EventFeed {
 public:
  // The newest this many events are kept: some 20 MB once full (a few hundred bytes each);
  // a node under load makes some twenty per critical-section entry.
  static constexpr std::size_t kCapacity = 65536;

  explicit EventFeed(std::size_t capacity = kCapacity);

  // Whether the feed keeps this log event.
  static bool keeps(const LogOut& e);
  // Numbers and keeps one event: the object {"ts":"<ts>"<fields>,"msg":<msg>,"seq":N} (no
  // "msg" when `msg` is empty). `fields` is the log line's text after ts and before msg,
  // starting with its comma.
  void push(std::string_view ts, std::string_view fields, std::string_view msg);
  // The events numbered above `since`, oldest first, at most `limit` (at least 1); `next` is
  // the last one's number (or `since` when none), `first` the oldest number still kept.
  EventsReply read(std::uint64_t since, std::uint64_t limit) const;

  std::uint64_t newest() const;  // the last number given, 0 before any
  // The bytes its slots hold for text (their capacities): what the ring costs in memory.
  std::size_t held_bytes() const;

 private:
  std::uint64_t first_locked() const;

  mutable std::mutex mu_;
  std::size_t capacity_;
  std::vector<std::string> slots_;  // event n is in slots_[(n - 1) % capacity_]
  std::uint64_t newest_ = 0;
};

}  // namespace bank
