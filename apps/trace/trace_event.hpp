// TraceEvent: one event of a node, as bank-trace draws and checks it: read from a log line
// (docs/file-formats.md#structured-log) or from an event of the console's feed (the same
// object plus "seq"). Only what the picture and the checks use is kept: request, reply and
// release messages (not hellos, heartbeats, acks or catch-up), critical-section entries and
// exits, commits, aborts, links coming and going, starts and stops, errors and divergences. Decoding
// is total: a line that is not such an event is an error value naming what is wrong.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "messages/result.hpp"
#include "messages/types.hpp"

namespace bank::trace {

// What identifies one peer message on both of its ends: the sender, the receiver, the
// sender's incarnation, the receiver incarnation it was meant for, and its sequence number
// on that link. A resend repeats it; a restart on either side starts a new one.
struct MessageKey {
  NodeId from = 0;
  NodeId to = 0;
  std::uint64_t inc = 0;
  std::uint64_t to_inc = 0;
  std::uint64_t seq = 0;
  auto operator<=>(const MessageKey&) const = default;
};

struct TraceEvent {
  enum class Kind { send, recv, cs_enter, cs_exit, commit, abort, peer_up, peer_down, start, stop, error };

  Kind kind = Kind::error;
  std::string event;       // the name in the log: "send", "cs_enter", "diverged", ...
  std::int64_t ts_us = 0;  // microseconds since the epoch
  NodeId node = 0;
  Lamport lamport = 0;     // the node's clock after the event

  // send / recv: the message (type request, reply or release)
  std::string type;
  NodeId peer = 0;
  MessageKey key;
  Lamport msg_lamport = 0;  // the stamp the sender put on the message
  std::size_t blocks = 0;   // a release's blocks
  // send/recv (the message's req), cs_enter, cs_exit
  Stamp req;
  // commit: the block; abort: txid and reason
  std::uint64_t index = 0;
  std::string txid;
  NodeId tx_from = 0;
  NodeId tx_to = 0;
  Cents amount = 0;
  // start: the chain height loaded; peer_up / peer_down / diverged: `peer` above
  std::uint64_t height = 0;
  std::string note;  // abort's reason, error's text

  std::string text;          // the event as one line of JSON, blocks given as their count: for hover
  std::string where;         // "node-1.log:17", "node 2 feed, event 17": for messages
  std::size_t source = 0;    // which input it came from (file or feed), for a stable order
  std::uint64_t order = 0;   // its place in that input (line number or seq)

  bool is_message() const { return kind == Kind::send || kind == Kind::recv; }

  // The event in a log line or a feed object; nullopt for an event the trace leaves out
  // (a heartbeat, a hello, a warning...). trace.* errors say what is wrong.
  static Result<std::optional<TraceEvent>> from_json(const nlohmann::json& j);
  static Result<std::optional<TraceEvent>> parse_line(std::string_view line);
  // Without parsing: whether a log line can only be an event the trace leaves out (a send
  // or recv of another type than request, reply, release). Big logs are mostly those.
  static bool left_out(std::string_view line);
};

// Events in the order the picture and the checks read them: by time, then node, then
// input, then place in the input.
bool trace_order(const TraceEvent& a, const TraceEvent& b);

}  // namespace bank::trace
