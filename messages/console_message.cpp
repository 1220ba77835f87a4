// The console codec: strict request decoding, reply encoding.
#include "messages/console_message.hpp"

#include "messages/json/json_reader.hpp"
#include "messages/overload.hpp"

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
  JsonReader::fail("codec.unknown_cmd", "unknown command '" + cmd + "'");
}

nlohmann::json blocks_json(const std::vector<Block>& blocks) {
  auto a = nlohmann::json::array();
  for (const auto& b : blocks) a.push_back(block_to_json(b));
  return a;
}

}  // namespace

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
  if (!t) return console_reply_to_json(reply).dump();
  // Sorted keys, as dump() prints them: block, ok, status, txid.
  return "{\"block\":" + block_text(t->block) + R"(,"ok":true,"status":"committed","txid":)" +
         nlohmann::json(t->txid).dump() + "}";
}

nlohmann::json console_reply_to_json(const ConsoleReply& reply) {
  return std::visit(
      Overload{[](const TransferDone& t) {
                 return nlohmann::json{
                     {"ok", true}, {"status", "committed"}, {"txid", t.txid}, {"block", block_to_json(t.block)}};
               },
               [](const BalancesReply& b) {
                 nlohmann::json m = nlohmann::json::object();
                 for (const auto& [id, cents] : b.balances) m[std::to_string(id)] = cents;
                 return nlohmann::json{{"ok", true}, {"balances", m}};
               },
               [](const BalanceReply& b) {
                 return nlohmann::json{{"ok", true}, {"id", b.id}, {"balance", b.balance}};
               },
               [](const ChainReply& c) { return nlohmann::json{{"ok", true}, {"blocks", blocks_json(c.blocks)}}; },
               [](const StatusReply& s) {
                 auto queue = nlohmann::json::array();
                 for (const auto& q : s.queue) queue.push_back({{"ts", q.ts}, {"node", q.node}});
                 auto peers = nlohmann::json::array();
                 for (const auto& p : s.peers) {
                   nlohmann::json peer{{"id", p.id}, {"connected", p.connected}};
                   if (!p.refused.empty()) peer["refused"] = p.refused;
                   peers.push_back(std::move(peer));
                 }
                 return nlohmann::json{{"ok", true},         {"id", s.id},     {"lamport", s.lamport},
                                       {"height", s.height}, {"head", s.head}, {"queue", queue},
                                       {"peers", peers}};
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
