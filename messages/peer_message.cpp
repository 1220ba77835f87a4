// The peer protocol's one codec: typed PeerMessage <-> JSON, decoding total and strict.
#include "messages/peer_message.hpp"

#include "messages/json_reader.hpp"

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
  try {
    return read_peer(JsonReader::parse(bytes, max_peer_frame));
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

}  // namespace bank
