// The peer protocol: every message between nodes, one JSON object per frame, declared once
// here (docs/peer-protocol.md tells the story of each). Each body type names its wire `type`,
// says whether it is `sequenced` and lists its `fields()`, wire key and member;
// PeerMessage::envelope() lists the fields every type carries. peer_message.cpp derives all
// the rest from these lists: the type names, the JSON and the text encoders, and both
// decoders (the strict one through nlohmann and the one reading in place), with their checks.
//
// Envelope (every type): type, from (node id), lamport (sender's clock), inc (sender's
// incarnation), to_inc (the receiver incarnation the sender is talking to; 0 = not known
// yet), seq (0 = unsequenced; else this direction's sequence number), ack (highest seq
// received in order from the receiver). Sequenced types travel in a reliable FIFO session
// per peer pair (actors/network) and must carry seq > 0; the others must carry seq 0.
//
// A field's value is written and checked after its C++ type:
//   std::uint64_t       a non-negative integer below 2^64
//   NodeId              a node id, 1 to 2^31-1
//   std::string         64 lowercase hex digits (the protocol's only strings are hashes)
//   Stamp               {"node": NodeId, "ts": std::uint64_t}, the stamp_fields below
//   std::vector<Block>  an array of blocks as messages/block.hpp writes them
// A key names one value type wherever it occurs (checked when compiling).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/block.hpp"
#include "messages/result.hpp"
#include "messages/types.hpp"

namespace bank {

// One field of the protocol: its key on the wire and the member that holds it.
template <class S, class V>
struct PeerField {
  const char* key;
  V S::*member;
};
// C++20 deduces this by itself, but Clang before 17 needs the guide spelled out.
template <class S, class V>
PeerField(const char*, V S::*) -> PeerField<S, V>;

inline constexpr auto stamp_fields = std::tuple{PeerField{"ts", &Stamp::ts}, PeerField{"node", &Stamp::node}};

// link: announces an incarnation and its chain: genesis, height and head (the hash of block
// `height`), so that a peer holding that block can tell whether our chains diverged.
struct HelloMsg {
  static constexpr std::string_view wire = "hello";
  static constexpr bool sequenced = false;
  std::string genesis;
  std::uint64_t height = 0;
  std::string head = {};
  static constexpr auto fields() {
    return std::tuple{PeerField{"genesis", &HelloMsg::genesis}, PeerField{"height", &HelloMsg::height},
                      PeerField{"head", &HelloMsg::head}};
  }
  bool operator==(const HelloMsg&) const = default;
};
// link: liveness and acks, and the sender's chain height: a node that missed a release (it
// went to an incarnation of ours that is gone) learns on an idle cluster that it lags.
struct HeartbeatMsg {
  static constexpr std::string_view wire = "heartbeat";
  static constexpr bool sequenced = false;
  std::uint64_t height = 0;
  static constexpr auto fields() { return std::tuple{PeerField{"height", &HeartbeatMsg::height}}; }
  bool operator==(const HeartbeatMsg&) const = default;
};
// link: a bare cumulative ack.
struct AckMsg {
  static constexpr std::string_view wire = "ack";
  static constexpr bool sequenced = false;
  static constexpr auto fields() { return std::tuple{}; }
  bool operator==(const AckMsg&) const = default;
};
// link: a cumulative ack from a receiver that dropped a frame after a gap: what follows
// `ack` was lost, so the sender resends its window now instead of after resend_ms.
struct NackMsg {
  static constexpr std::string_view wire = "nack";
  static constexpr bool sequenced = false;
  static constexpr auto fields() { return std::tuple{}; }
  bool operator==(const NackMsg&) const = default;
};
// link: the sender is stopping cleanly (SIGTERM): count it down now, without waiting for
// its silence to pass the failure-detection time.
struct ByeMsg {
  static constexpr std::string_view wire = "bye";
  static constexpr bool sequenced = false;
  static constexpr auto fields() { return std::tuple{}; }
  bool operator==(const ByeMsg&) const = default;
};
// mutex: ask for the critical section. height: the sender's chain height as its mutex
// knows it, so a node that restarted learns of blocks whose release it never got before it
// may append after them.
struct RequestMsg {
  static constexpr std::string_view wire = "request";
  static constexpr bool sequenced = true;
  Stamp req;
  std::uint64_t height = 0;
  static constexpr auto fields() {
    return std::tuple{PeerField{"req", &RequestMsg::req}, PeerField{"height", &RequestMsg::height}};
  }
  bool operator==(const RequestMsg&) const = default;
};
// mutex: the answer to a request (only from a node without a request of its own out);
// height as in a request.
struct ReplyMsg {
  static constexpr std::string_view wire = "reply";
  static constexpr bool sequenced = true;
  Stamp req;
  std::uint64_t height = 0;
  static constexpr auto fields() {
    return std::tuple{PeerField{"req", &ReplyMsg::req}, PeerField{"height", &ReplyMsg::height}};
  }
  bool operator==(const ReplyMsg&) const = default;
};
// mutex: leave (or withdraw); carries the blocks appended inside.
struct ReleaseMsg {
  static constexpr std::string_view wire = "release";
  static constexpr bool sequenced = true;
  Stamp req;
  std::vector<Block> blocks;
  static constexpr auto fields() {
    return std::tuple{PeerField{"req", &ReleaseMsg::req}, PeerField{"blocks", &ReleaseMsg::blocks}};
  }
  bool operator==(const ReleaseMsg&) const = default;
};
// ledger: send me your blocks from this index on ("from" is the envelope's sender).
struct SyncMsg {
  static constexpr std::string_view wire = "sync";
  static constexpr bool sequenced = true;
  std::uint64_t from = 0;
  static constexpr auto fields() { return std::tuple{PeerField{"from_index", &SyncMsg::from}}; }
  bool operator==(const SyncMsg&) const = default;
};
// ledger: catch-up blocks, answering the sync that asked from `from_index`, with the
// answering node's height and head (the hash of block `height`). A node takes it only as the
// answer to a sync it sent that peer from that index.
struct BlocksMsg {
  static constexpr std::string_view wire = "block";
  static constexpr bool sequenced = true;
  std::vector<Block> blocks;
  std::uint64_t height = 0;
  std::string head = {};
  std::uint64_t from = 0;
  static constexpr auto fields() {
    return std::tuple{PeerField{"blocks", &BlocksMsg::blocks}, PeerField{"height", &BlocksMsg::height},
                      PeerField{"head", &BlocksMsg::head}, PeerField{"from_index", &BlocksMsg::from}};
  }
  bool operator==(const BlocksMsg&) const = default;
};

using PeerBody = std::variant<HelloMsg, HeartbeatMsg, AckMsg, RequestMsg, ReplyMsg, ReleaseMsg, SyncMsg, BlocksMsg, ByeMsg, NackMsg>;

struct PeerMessage {
  NodeId from = 0;
  Lamport lamport = 0;
  std::uint64_t inc = 0;
  std::uint64_t to_inc = 0;
  std::uint64_t seq = 0;
  std::uint64_t ack = 0;
  PeerBody body;
  // Every type's fields besides "type" and its body's own.
  static constexpr auto envelope() {
    return std::tuple{PeerField{"from", &PeerMessage::from},     PeerField{"lamport", &PeerMessage::lamport},
                      PeerField{"inc", &PeerMessage::inc},       PeerField{"to_inc", &PeerMessage::to_inc},
                      PeerField{"seq", &PeerMessage::seq},       PeerField{"ack", &PeerMessage::ack}};
  }
  bool operator==(const PeerMessage&) const = default;
};

// The wire name of a body ("request", ...), as logged in send/recv events.
const char* peer_type_name(const PeerBody& body);
// True for the types that travel in the reliable FIFO session.
bool is_sequenced(const PeerBody& body);

// A peer frame's size at most, in bytes: the peer socket refuses larger ones, and so does
// decode_peer. 1 MiB holds some 3,000 blocks; the ledger keeps what it sends below it (a
// release carries at most release_block_bytes of blocks, a catch-up answer as much), so
// nothing a node sends is ever refused, and a hostile peer's frame costs at most this.
inline constexpr std::size_t max_peer_frame = 1024 * 1024;
// The blocks of one release or catch-up answer, in bytes of block text at most: the rest of
// a frame (envelope, keys, commas) is a few hundred bytes, so this leaves ample room.
inline constexpr std::size_t max_frame_blocks_bytes = max_peer_frame - 64 * 1024;

nlohmann::json peer_to_json(const PeerMessage& m);
// The frame's text: exactly peer_to_json(m).dump(), but written directly (the wire's hot path).
std::string encode_peer(const PeerMessage& m);
// The frame as encode_peer writes it, but with its `blocks` array (a release's, a catch-up
// answer's) replaced by the number of blocks in it ("blocks":10): how the event feed shows a
// message, so that an event stays small.
std::string encode_peer_brief(const PeerMessage& m);
// A stamp as the protocol writes it, for the log lines that show one.
nlohmann::json stamp_to_json(const Stamp& s);
// Total and strict. Frames in the plain form encode_peer writes are read in place; the rest
// go through nlohmann, which also words every error. A frame above max_peer_frame, or whose
// lamport, inc, to_inc or req.ts is above max_stamp (codec.stamp_range), is an error.
Result<PeerMessage> decode_peer(std::string_view bytes);
Result<PeerMessage> peer_from_json(const nlohmann::json& j);

}  // namespace bank
