// The peer protocol: every message between nodes, one JSON object per frame.
//
// Envelope (every type): type, from (node id), lamport (sender's clock), inc (sender's
// incarnation), to_inc (the receiver incarnation the sender is talking to; 0 = not known
// yet), seq (0 = unsequenced; else this direction's sequence number), ack (highest seq
// received in order from the receiver).
//
// Types and their fields:
//   hello      genesis (hex), height   link: announces an incarnation and its chain; unsequenced
//   heartbeat  -                       link: liveness and acks; unsequenced
//   ack        -                       link: a bare cumulative ack; unsequenced
//   request    req {ts,node}, height   mutex: ask for the critical section
//   reply      req {ts,node}, height   mutex: answer to that request (only from a node
//                                      without a request of its own out)
//              (height: the sender's chain height, so a node that restarted learns of
//              blocks whose release it never got before it may append after them)
//   release    req, blocks [..]        mutex: leave (or withdraw); carries the blocks appended inside
//   sync       from_index              ledger: send me your blocks from this index on
//   block      blocks [..], height     ledger: catch-up blocks, answering sync
// Sequenced types travel in a reliable FIFO session per peer pair (actors/network).
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/block.hpp"
#include "messages/result.hpp"
#include "messages/types.hpp"

namespace bank {

struct HelloMsg {
  std::string genesis;
  std::uint64_t height = 0;
  bool operator==(const HelloMsg&) const = default;
};
struct HeartbeatMsg {
  bool operator==(const HeartbeatMsg&) const = default;
};
struct AckMsg {
  bool operator==(const AckMsg&) const = default;
};
struct RequestMsg {
  Stamp req;
  std::uint64_t height = 0;  // the sender's chain height as its mutex knows it
  bool operator==(const RequestMsg&) const = default;
};
struct ReplyMsg {
  Stamp req;
  std::uint64_t height = 0;  // the sender's chain height as its mutex knows it
  bool operator==(const ReplyMsg&) const = default;
};
struct ReleaseMsg {
  Stamp req;
  std::vector<Block> blocks;
  bool operator==(const ReleaseMsg&) const = default;
};
struct SyncMsg {
  std::uint64_t from = 0;
  bool operator==(const SyncMsg&) const = default;
};
struct BlocksMsg {
  std::vector<Block> blocks;
  std::uint64_t height = 0;
  bool operator==(const BlocksMsg&) const = default;
};

using PeerBody = std::variant<HelloMsg, HeartbeatMsg, AckMsg, RequestMsg, ReplyMsg, ReleaseMsg, SyncMsg, BlocksMsg>;

struct PeerMessage {
  NodeId from = 0;
  Lamport lamport = 0;
  std::uint64_t inc = 0;
  std::uint64_t to_inc = 0;
  std::uint64_t seq = 0;
  std::uint64_t ack = 0;
  PeerBody body;
  bool operator==(const PeerMessage&) const = default;
};

// The wire name of a body ("request", ...), as logged in send/recv events.
const char* peer_type_name(const PeerBody& body);
// True for the types that travel in the reliable FIFO session.
bool is_sequenced(const PeerBody& body);

inline constexpr std::size_t max_peer_frame = 64 * 1024 * 1024;

nlohmann::json peer_to_json(const PeerMessage& m);
// The frame's text: peer_to_json(m).dump(), with the blocks of a release or a catch-up
// answer written by block_text rather than built as JSON and dumped (the wire's hot path).
std::string encode_peer(const PeerMessage& m);
// Total and strict. Frames in the plain form encode_peer writes are read in place; the rest
// go through nlohmann, which also words every error.
Result<PeerMessage> decode_peer(std::string_view bytes);
Result<PeerMessage> peer_from_json(const nlohmann::json& j);

}  // namespace bank
