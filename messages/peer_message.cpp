// The peer protocol's one codec: typed PeerMessage <-> JSON, decoding total and strict.
#include "messages/peer_message.hpp"

#include <climits>
#include <optional>

#include "messages/json/json_cursor.hpp"
#include "messages/json/json_reader.hpp"

namespace bank {

namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};

nlohmann::json stamp_json(const Stamp& s) { return {{"ts", s.ts}, {"node", s.node}}; }

Stamp read_stamp(const JsonReader& r) {
  JsonReader s(r.object("req"), "req");
  s.only({"ts", "node"});
  return Stamp{s.u64("ts"), s.node_id("node")};
}

nlohmann::json blocks_json(const std::vector<Block>& blocks) {
  auto a = nlohmann::json::array();
  for (const auto& b : blocks) a.push_back(block_to_json(b));
  return a;
}

std::vector<Block> read_blocks(const JsonReader& r) {
  std::vector<Block> out;
  for (const auto& j : r.array("blocks")) {
    auto b = block_from_json(j);
    if (!b) throw DecodeFailure{b.error()};
    out.push_back(std::move(*b));
  }
  return out;
}

PeerMessage read_peer(const nlohmann::json& j) {
  JsonReader r(j, "peer message");
  auto type = r.string("type", 16);
  PeerMessage m;
  m.from = r.node_id("from");
  m.lamport = r.u64("lamport");
  m.inc = r.u64("inc");
  m.to_inc = r.u64("to_inc");
  m.seq = r.u64("seq");
  m.ack = r.u64("ack");
  auto envelope = [&](std::initializer_list<const char*> extra) {
    std::vector<const char*> keys{"type", "from", "lamport", "inc", "to_inc", "seq", "ack"};
    keys.insert(keys.end(), extra);
    for (const auto& item : j.items()) {
      bool known = false;
      for (const char* k : keys) known = known || item.key() == k;
      if (!known) JsonReader::fail("codec.unknown_field", type + " message has unknown field '" + item.key() + "'");
    }
  };
  if (type == "hello") {
    envelope({"genesis", "height"});
    m.body = HelloMsg{r.hex64("genesis"), r.u64("height")};
  } else if (type == "heartbeat") {
    envelope({});
    m.body = HeartbeatMsg{};
  } else if (type == "ack") {
    envelope({});
    m.body = AckMsg{};
  } else if (type == "request") {
    envelope({"req", "height"});
    m.body = RequestMsg{read_stamp(r), r.u64("height")};
  } else if (type == "reply") {
    envelope({"req", "height"});
    m.body = ReplyMsg{read_stamp(r), r.u64("height")};
  } else if (type == "release") {
    envelope({"req", "blocks"});
    m.body = ReleaseMsg{read_stamp(r), read_blocks(r)};
  } else if (type == "sync") {
    envelope({"from_index"});  // "from" is the envelope's sender
    m.body = SyncMsg{r.u64("from_index")};
  } else if (type == "block") {
    envelope({"blocks", "height"});
    m.body = BlocksMsg{read_blocks(r), r.u64("height")};
  } else {
    JsonReader::fail("codec.unknown_type", "unknown peer message type '" + type + "'");
  }
  if (is_sequenced(m.body) != (m.seq != 0))
    JsonReader::fail("codec.range", type + " message has a wrong 'seq' for its type");
  return m;
}

bool is_node(const std::optional<std::uint64_t>& x) { return x && JsonReader::is_node_id(*x); }

std::optional<Stamp> fast_stamp(JsonCursor& c) {
  std::optional<std::uint64_t> ts, node;
  bool ok = c.object([&](std::string_view k) {
    return k == "ts" ? c.u64_into(ts) : k == "node" ? c.u64_into(node) : false;
  });
  if (!ok || !ts || !is_node(node)) return std::nullopt;
  return Stamp{*ts, static_cast<NodeId>(*node)};
}

std::optional<std::vector<Block>> fast_blocks(JsonCursor& c) {
  std::vector<Block> out;
  if (!c.consume('[')) return std::nullopt;
  if (c.consume(']')) return out;
  do {
    auto b = read_plain_block(c);
    if (!b) return std::nullopt;
    out.push_back(std::move(*b));
  } while (c.consume(','));
  if (!c.consume(']')) return std::nullopt;
  return out;
}

// The fast path: the frame read in place, straight into a PeerMessage, when it is in the
// plain form encode_peer writes (any key order or spacing). Anything it does not take
// (escapes, floats, a duplicate or unknown key, a missing field, a value out of range, a
// genesis block) is left to read_peer, which also writes every error: what this takes,
// read_peer takes too and reads the same (a unit test holds the two to that).
std::optional<PeerMessage> fast_peer(std::string_view bytes) {
  JsonCursor c(bytes);
  std::optional<std::uint64_t> from, lamport, inc, to_inc, seq, ack, height, from_index;
  std::optional<std::string_view> type, genesis;
  std::optional<Stamp> req;
  std::optional<std::vector<Block>> blocks;
  bool ok = c.object([&](std::string_view k) {
    return k == "type"         ? c.plain_into(type)
           : k == "from"       ? c.u64_into(from)
           : k == "lamport"    ? c.u64_into(lamport)
           : k == "inc"        ? c.u64_into(inc)
           : k == "to_inc"     ? c.u64_into(to_inc)
           : k == "seq"        ? c.u64_into(seq)
           : k == "ack"        ? c.u64_into(ack)
           : k == "height"     ? c.u64_into(height)
           : k == "from_index" ? c.u64_into(from_index)
           : k == "genesis"    ? c.plain_into(genesis)
           : k == "req"        ? !req && (req = fast_stamp(c)).has_value()
           : k == "blocks"     ? !blocks && (blocks = fast_blocks(c)).has_value()
                               : false;
  });
  if (!ok || !c.at_end()) return std::nullopt;
  if (!type || !is_node(from) || !lamport || !inc || !to_inc || !seq || !ack) return std::nullopt;
  // Exactly the type's own fields besides the envelope.
  auto has = [&](bool h, bool g, bool r, bool b, bool f) {
    return height.has_value() == h && genesis.has_value() == g && req.has_value() == r && blocks.has_value() == b &&
           from_index.has_value() == f;
  };
  PeerMessage m{static_cast<NodeId>(*from), *lamport, *inc, *to_inc, *seq, *ack, HeartbeatMsg{}};
  if (*type == "hello" && has(true, true, false, false, false) && JsonReader::is_hex64(*genesis))
    m.body = HelloMsg{std::string(*genesis), *height};
  else if (*type == "heartbeat" && has(false, false, false, false, false))
    m.body = HeartbeatMsg{};
  else if (*type == "ack" && has(false, false, false, false, false))
    m.body = AckMsg{};
  else if (*type == "request" && has(true, false, true, false, false))
    m.body = RequestMsg{*req, *height};
  else if (*type == "reply" && has(true, false, true, false, false))
    m.body = ReplyMsg{*req, *height};
  else if (*type == "release" && has(false, false, true, true, false))
    m.body = ReleaseMsg{*req, std::move(*blocks)};
  else if (*type == "sync" && has(false, false, false, false, true))
    m.body = SyncMsg{*from_index};
  else if (*type == "block" && has(true, false, false, true, false))
    m.body = BlocksMsg{std::move(*blocks), *height};
  else
    return std::nullopt;
  if (is_sequenced(m.body) != (m.seq != 0)) return std::nullopt;
  return m;
}

}  // namespace

const char* peer_type_name(const PeerBody& body) {
  return std::visit(Overload{[](const HelloMsg&) { return "hello"; }, [](const HeartbeatMsg&) { return "heartbeat"; },
                             [](const AckMsg&) { return "ack"; }, [](const RequestMsg&) { return "request"; },
                             [](const ReplyMsg&) { return "reply"; }, [](const ReleaseMsg&) { return "release"; },
                             [](const SyncMsg&) { return "sync"; }, [](const BlocksMsg&) { return "block"; }},
                    body);
}

bool is_sequenced(const PeerBody& body) {
  return !std::holds_alternative<HelloMsg>(body) && !std::holds_alternative<HeartbeatMsg>(body) &&
         !std::holds_alternative<AckMsg>(body);
}

nlohmann::json peer_to_json(const PeerMessage& m) {
  nlohmann::json j{{"type", peer_type_name(m.body)}, {"from", m.from}, {"lamport", m.lamport}, {"inc", m.inc},
                   {"to_inc", m.to_inc}, {"seq", m.seq}, {"ack", m.ack}};
  std::visit(Overload{[&](const HelloMsg& b) {
                        j["genesis"] = b.genesis;
                        j["height"] = b.height;
                      },
                      [](const HeartbeatMsg&) {}, [](const AckMsg&) {},
                      [&](const RequestMsg& b) {
                        j["req"] = stamp_json(b.req);
                        j["height"] = b.height;
                      },
                      [&](const ReplyMsg& b) {
                        j["req"] = stamp_json(b.req);
                        j["height"] = b.height;
                      },
                      [&](const ReleaseMsg& b) {
                        j["req"] = stamp_json(b.req);
                        j["blocks"] = blocks_json(b.blocks);
                      },
                      [&](const SyncMsg& b) { j["from_index"] = b.from; },
                      [&](const BlocksMsg& b) {
                        j["blocks"] = blocks_json(b.blocks);
                        j["height"] = b.height;
                      }},
             m.body);
  return j;
}

std::string encode_peer(const PeerMessage& m) {
  const std::vector<Block>* blocks = nullptr;
  PeerMessage bare{m.from, m.lamport, m.inc, m.to_inc, m.seq, m.ack, HeartbeatMsg{}};
  if (const auto* r = std::get_if<ReleaseMsg>(&m.body)) {
    blocks = &r->blocks;
    bare.body = ReleaseMsg{r->req, {}};
  } else if (const auto* b = std::get_if<BlocksMsg>(&m.body)) {
    blocks = &b->blocks;
    bare.body = BlocksMsg{{}, b->height};
  }
  if (!blocks || blocks->empty()) return peer_to_json(m).dump();
  // The envelope with no blocks, then the blocks' text put where its empty list was (the
  // only "blocks":[] in it: every other value is a number, hex, or a stamp).
  std::string text = peer_to_json(bare).dump();
  std::string list = "\"blocks\":[";
  for (std::size_t i = 0; i < blocks->size(); ++i) {
    if (i > 0) list += ',';
    list += block_text((*blocks)[i]);
  }
  list += ']';
  const std::string empty = "\"blocks\":[]";
  text.replace(text.find(empty), empty.size(), list);
  return text;
}

Result<PeerMessage> peer_from_json(const nlohmann::json& j) {
  try {
    return read_peer(j);
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

Result<PeerMessage> decode_peer(std::string_view bytes) {
  if (bytes.size() <= max_peer_frame)
    if (auto m = fast_peer(bytes)) return std::move(*m);
  try {
    return read_peer(JsonReader::parse(bytes, max_peer_frame));
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

}  // namespace bank
