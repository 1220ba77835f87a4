// The console codec: strict request and reply decoding, request and reply encoding.
#include "messages/console_message.hpp"

#include <cstdint>

#include "messages/json/json_cursor.hpp"
#include "messages/json/json_reader.hpp"
#include "messages/json/json_text.hpp"
#include "messages/overload.hpp"
#include "messages/peer_message.hpp"

namespace bank {

namespace {

ConsoleRequest read_request(const nlohmann::json& j) {
  JsonReader r(j, "request");
  auto cmd = r.string("cmd", 16);
  if (cmd == "transfer") {
    r.only({"cmd", "to", "amount", "txid"});
    TransferCmd t{r.node_id("to"), r.positive_i64("amount"), std::nullopt};
    if (r.has("txid")) t.txid = r.txid("txid");
    return t;
  }
  if (cmd == "balance") {
    r.only({"cmd", "id"});
    BalanceCmd b;
    if (r.has("id")) b.id = r.node_id("id");
    return b;
  }
  if (cmd == "chain") {
    r.only({"cmd", "from", "limit"});
    ChainCmd c;
    if (r.has("from")) c.from = r.u64("from");
    if (r.has("limit")) {
      c.limit = r.u64("limit");
      if (*c.limit == 0) JsonReader::fail("codec.range", "field 'limit' of request must be positive");
    }
    return c;
  }
  if (cmd == "status") {
    r.only({"cmd"});
    return StatusCmd{};
  }
  if (cmd == "verify") {
    r.only({"cmd"});
    return VerifyCmd{};
  }
  JsonReader::fail("codec.unknown_cmd", "unknown command '" + printable_excerpt(cmd) + "'");
}

FailureReply read_failure(const JsonReader& r) {
  r.only({"ok", "status", "error", "txid"});
  FailureReply f{.status = r.string("status", 16), .error = r.string("error", max_console_frame), .txid = std::nullopt};
  if (r.has("txid")) f.txid = r.txid("txid");
  return f;
}

Block read_block(const nlohmann::json& j) {
  auto b = block_from_json(j);
  if (!b) throw DecodeFailure{b.error()};
  return std::move(*b);
}

TransferDone read_transfer_done(const JsonReader& r) {
  r.only({"ok", "status", "txid", "block", "replay"});
  if (r.string("status", 16) != "committed")
    JsonReader::fail("codec.range", "field 'status' of reply must be 'committed' when ok is true");
  TransferDone t{.txid = r.txid("txid"), .block = read_block(r.object("block")),
                 .replay = r.has("replay") && r.boolean("replay")};
  if (!t.block.tx) JsonReader::fail("codec.block_kind", "a committed transfer's block must hold a tx");
  return t;
}

BalancesReply read_balances(const JsonReader& r) {
  r.only({"ok", "balances"});
  BalancesReply b;
  for (const auto& item : r.object("balances").items()) {
    auto id = JsonReader::node_id_from_string(item.key(), "balances");
    const auto& cents = item.value();
    if (!cents.is_number_integer() || (cents.is_number_unsigned() && cents.get<std::uint64_t>() > INT64_MAX))
      JsonReader::fail("codec.type", "balance of node " + item.key() + " must be an integer of cents");
    b.balances[id] = cents.get<std::int64_t>();
  }
  return b;
}

ChainReply read_chain(const JsonReader& r) {
  r.only({"ok", "blocks", "next"});
  ChainReply c;
  for (const auto& b : r.array("blocks")) c.blocks.push_back(read_block(b));
  if (r.has("next")) c.next = r.u64("next");
  return c;
}

StatusReply read_status(const JsonReader& r) {
  r.only({"ok", "id", "lamport", "height", "head", "queue", "peers", "security", "diverged"});
  StatusReply s{.id = r.node_id("id"),
                .lamport = r.u64("lamport"),
                .height = r.u64("height"),
                .head = r.hex64("head"),
                .queue = {},
                .peers = {},
                .security_off = false,
                .diverged = {}};
  for (const auto& q : r.array("queue")) {
    JsonReader entry(q, "queue entry");
    entry.only({"ts", "node"});
    s.queue.push_back(Stamp{.ts = entry.u64("ts"), .node = entry.node_id("node")});
  }
  for (const auto& p : r.array("peers")) {
    JsonReader peer(p, "peer");
    peer.only({"id", "connected", "refused"});
    PeerState state{.id = peer.node_id("id"), .connected = peer.boolean("connected"), .refused = ""};
    if (peer.has("refused")) state.refused = peer.string("refused", max_console_frame);
    s.peers.push_back(std::move(state));
  }
  if (r.has("security")) {
    if (r.string("security", 8) != "off") JsonReader::fail("codec.range", "'security' in a status reply is only ever \"off\"");
    s.security_off = true;
  }
  if (r.has("diverged"))
    for (const auto& d : r.array("diverged")) {
      JsonReader entry(d, "diverged entry");
      entry.only({"peer", "index"});
      s.diverged.push_back(Divergence{.peer = entry.node_id("peer"), .index = entry.u64("index")});
    }
  return s;
}

VerifyReply read_verify(const JsonReader& r) {
  r.only({"ok", "height"});
  return VerifyReply{.height = r.u64("height")};
}

ConsoleReply read_reply(const nlohmann::json& j, const ConsoleRequest& request) {
  JsonReader r(j, "reply");
  if (!r.boolean("ok")) return read_failure(r);
  return std::visit(Overload{[&](const TransferCmd&) -> ConsoleReply { return read_transfer_done(r); },
                             [&](const BalanceCmd& b) -> ConsoleReply {
                               if (!b.id) return read_balances(r);
                               r.only({"ok", "id", "balance"});
                               return BalanceReply{.id = r.node_id("id"), .balance = r.i64("balance")};
                             },
                             [&](const ChainCmd&) -> ConsoleReply { return read_chain(r); },
                             [&](const StatusCmd&) -> ConsoleReply { return read_status(r); },
                             [&](const VerifyCmd&) -> ConsoleReply { return read_verify(r); }},
                    request);
}

// A committed transfer's reply exactly as console_reply_text writes it, its block read in
// place; nullopt for any other text, which the caller reads through nlohmann.
std::optional<ConsoleReply> read_plain_committed(std::string_view text) {
  constexpr std::string_view head = R"({"block":)";
  constexpr std::string_view tail = R"(,"ok":true,"status":"committed","txid":")";
  if (!text.starts_with(head) || !text.ends_with("\"}")) return std::nullopt;
  auto at = text.rfind(tail);
  // The txid's closing quote must be another byte than the tail's opening one.
  if (at == std::string_view::npos || at < head.size() || at + tail.size() > text.size() - 2) return std::nullopt;
  auto txid = text.substr(at + tail.size(), text.size() - 2 - (at + tail.size()));
  if (!JsonReader::is_txid(txid) || txid.find_first_of("\"\\") != std::string_view::npos) return std::nullopt;
  JsonCursor c(text.substr(head.size(), at - head.size()));
  auto block = read_plain_block(c);
  if (!block || !c.at_end()) return std::nullopt;
  return ConsoleReply(TransferDone{.txid = std::string(txid), .block = std::move(*block)});
}

}  // namespace

Result<ConsoleReply> decode_console_reply(std::string_view bytes, const ConsoleRequest& request) {
  if (std::holds_alternative<TransferCmd>(request))
    if (auto reply = read_plain_committed(bytes)) return std::move(*reply);
  try {
    return read_reply(JsonReader::parse(bytes, SIZE_MAX), request);
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

Result<ConsoleRequest> decode_console_request(std::string_view bytes) {
  try {
    return read_request(JsonReader::parse(bytes, max_console_frame));
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

nlohmann::json console_request_to_json(const ConsoleRequest& request) {
  return std::visit(Overload{[](const TransferCmd& t) {
                               nlohmann::json j{{"cmd", "transfer"}, {"to", t.to}, {"amount", t.amount}};
                               if (t.txid) j["txid"] = *t.txid;
                               return j;
                             },
                             [](const BalanceCmd& b) {
                               nlohmann::json j{{"cmd", "balance"}};
                               if (b.id) j["id"] = *b.id;
                               return j;
                             },
                             [](const ChainCmd& c) {
                               nlohmann::json j{{"cmd", "chain"}};
                               if (c.from) j["from"] = c.from;
                               if (c.limit) j["limit"] = *c.limit;
                               return j;
                             },
                             [](const StatusCmd&) { return nlohmann::json{{"cmd", "status"}}; },
                             [](const VerifyCmd&) { return nlohmann::json{{"cmd", "verify"}}; }},
                    request);
}

std::string console_reply_text(const ConsoleReply& reply) {
  const auto* t = std::get_if<TransferDone>(&reply);
  if (!t || t->replay) return console_reply_to_json(reply).dump();
  // Sorted keys, as dump() prints them: block, ok, status, txid.
  return "{\"block\":" + block_text(t->block) + R"(,"ok":true,"status":"committed","txid":)" +
         nlohmann::json(t->txid).dump() + "}";
}

nlohmann::json console_reply_to_json(const ConsoleReply& reply) {
  return std::visit(
      Overload{[](const TransferDone& t) {
                 nlohmann::json j{
                     {"ok", true}, {"status", "committed"}, {"txid", t.txid}, {"block", block_to_json(t.block)}};
                 if (t.replay) j["replay"] = true;
                 return j;
               },
               [](const BalancesReply& b) {
                 nlohmann::json m = nlohmann::json::object();
                 for (const auto& [id, cents] : b.balances) m[std::to_string(id)] = cents;
                 return nlohmann::json{{"ok", true}, {"balances", m}};
               },
               [](const BalanceReply& b) {
                 return nlohmann::json{{"ok", true}, {"id", b.id}, {"balance", b.balance}};
               },
               [](const ChainReply& c) {
                 nlohmann::json j{{"ok", true}, {"blocks", blocks_to_json(c.blocks)}};
                 if (c.next) j["next"] = *c.next;
                 return j;
               },
               [](const StatusReply& s) {
                 auto queue = nlohmann::json::array();
                 for (const auto& q : s.queue) queue.push_back(stamp_to_json(q));
                 auto peers = nlohmann::json::array();
                 for (const auto& p : s.peers) {
                   nlohmann::json peer{{"id", p.id}, {"connected", p.connected}};
                   if (!p.refused.empty()) peer["refused"] = p.refused;
                   peers.push_back(std::move(peer));
                 }
                 nlohmann::json j{{"ok", true},         {"id", s.id},     {"lamport", s.lamport},
                                  {"height", s.height}, {"head", s.head}, {"queue", queue},
                                  {"peers", peers}};
                 if (s.security_off) j["security"] = "off";
                 if (!s.diverged.empty()) {
                   auto& diverged = j["diverged"] = nlohmann::json::array();
                   for (const auto& d : s.diverged) diverged.push_back({{"peer", d.peer}, {"index", d.index}});
                 }
                 return j;
               },
               [](const VerifyReply& v) { return nlohmann::json{{"ok", true}, {"height", v.height}}; },
               [](const FailureReply& f) {
                 nlohmann::json j{{"ok", false}, {"status", f.status}, {"error", f.error}};
                 if (f.txid) j["txid"] = *f.txid;
                 return j;
               }},
      reply);
}

}  // namespace bank
