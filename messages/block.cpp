// Blocks to and from JSON, validated field by field.
#include "messages/block.hpp"

#include <climits>

#include "messages/json/json_reader.hpp"
#include "messages/json/json_text.hpp"

namespace bank {

nlohmann::json block_to_json(const Block& b, bool without_hash) {
  nlohmann::json j{{"index", b.index}, {"prev", b.prev}};
  if (b.genesis) {
    nlohmann::json balances = nlohmann::json::object();
    for (const auto& [id, cents] : *b.genesis) balances[std::to_string(id)] = cents;
    j["genesis"] = {{"balances", balances}};
  }
  if (b.tx)
    j["tx"] = {{"txid", b.tx->txid}, {"from", b.tx->from}, {"to", b.tx->to},
               {"amount", b.tx->amount}, {"lamport", b.tx->lamport}};
  if (!without_hash) {
    j["hash"] = b.hash;
    if (!b.sig.empty()) j["sig"] = b.sig;
  }
  return j;
}

nlohmann::json blocks_to_json(const std::vector<Block>& blocks) {
  auto a = nlohmann::json::array();
  for (const auto& b : blocks) a.push_back(block_to_json(b));
  return a;
}

std::string block_text(const Block& b, bool without_hash) {
  if (!b.tx || b.genesis) return block_to_json(b, without_hash).dump();
  std::string s;
  s.reserve(192 + b.sig.size() + b.tx->txid.size());
  bool ascii = true;
  s += '{';
  if (!without_hash) {
    s += "\"hash\":";
    ascii &= append_json_string(s, b.hash);
    s += ',';
  }
  s += "\"index\":";
  s += std::to_string(b.index);
  s += ",\"prev\":";
  ascii &= append_json_string(s, b.prev);
  if (!without_hash && !b.sig.empty()) {
    s += ",\"sig\":";
    ascii &= append_json_string(s, b.sig);
  }
  s += ",\"tx\":{\"amount\":";
  s += std::to_string(b.tx->amount);
  s += ",\"from\":";
  s += std::to_string(b.tx->from);
  s += ",\"lamport\":";
  s += std::to_string(b.tx->lamport);
  s += ",\"to\":";
  s += std::to_string(b.tx->to);
  s += ",\"txid\":";
  ascii &= append_json_string(s, b.tx->txid);
  s += "}}";
  return ascii ? s : block_to_json(b, without_hash).dump();
}

namespace {

Block read_block(const nlohmann::json& j) {
  JsonReader r(j, "block");
  r.only({"index", "prev", "genesis", "tx", "hash", "sig"});
  Block b;
  b.index = r.u64("index");
  b.prev = r.hex64("prev");
  b.hash = r.hex64("hash");
  if (r.has("sig")) b.sig = r.hex("sig", kSigHexDigits);
  if (r.has("genesis") == r.has("tx"))
    JsonReader::fail("codec.block_kind", "a block holds exactly one of 'genesis' and 'tx'");
  if (r.has("genesis")) {
    if (!b.sig.empty()) JsonReader::fail("codec.block_kind", "genesis carries no signature");
    JsonReader g(r.object("genesis"), "genesis");
    g.only({"balances"});
    Balances balances;
    for (const auto& item : g.object("balances").items()) {
      auto id = JsonReader::node_id_from_string(item.key(), "balances");
      const auto& v = item.value();
      if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX) ||
          v.get<std::int64_t>() < 0)
        JsonReader::fail("codec.range", "opening balance of node " + item.key() + " must be a non-negative integer");
      balances[id] = v.get<std::int64_t>();
    }
    if (balances.empty()) JsonReader::fail("codec.range", "genesis has no balances");
    b.genesis = std::move(balances);
  } else {
    JsonReader t(r.object("tx"), "tx");
    t.only({"txid", "from", "to", "amount", "lamport"});
    b.tx = Tx{t.txid("txid"), t.node_id("from"), t.node_id("to"), t.positive_i64("amount"), t.u64("lamport")};
  }
  return b;
}

std::optional<Tx> read_plain_tx(JsonCursor& c) {
  std::optional<std::uint32_t> from, to;
  std::optional<std::uint64_t> amount, lamport;
  std::optional<std::string_view> txid;
  bool ok = c.object([&](std::string_view k) {
    return k == "amount"    ? c.u64_into(amount)
           : k == "from"    ? c.node_into(from)
           : k == "to"      ? c.node_into(to)
           : k == "lamport" ? c.u64_into(lamport)
           : k == "txid"    ? c.plain_into(txid)
                            : false;
  });
  if (!ok || !from || !to || !amount || *amount == 0 ||
      *amount > static_cast<std::uint64_t>(INT64_MAX) || !lamport || !txid || !JsonReader::is_txid(*txid))
    return std::nullopt;
  return Tx{std::string(*txid), *from, *to, static_cast<Cents>(*amount), *lamport};
}
}  // namespace

std::optional<Block> read_plain_block(JsonCursor& c) {
  std::optional<std::uint64_t> index;
  std::optional<std::string_view> prev, hash, sig;
  std::optional<Tx> tx;
  bool ok = c.object([&](std::string_view k) {
    return k == "index" ? c.u64_into(index)
           : k == "prev" ? c.plain_into(prev)
           : k == "hash" ? c.plain_into(hash)
           : k == "sig"  ? c.plain_into(sig)
           : k == "tx"   ? !tx && (tx = read_plain_tx(c)).has_value()
                         : false;
  });
  if (!ok || !index || !prev || !hash || !tx || !JsonReader::is_hex64(*prev) || !JsonReader::is_hex64(*hash) ||
      (sig && !JsonReader::is_hex(*sig, kSigHexDigits)))
    return std::nullopt;
  Block b;
  b.index = *index;
  b.prev = *prev;
  b.hash = *hash;
  if (sig) b.sig = *sig;
  b.tx = std::move(*tx);
  return b;
}

Result<Block> decode_block(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) {
    JsonCursor c(text);
    if (auto b = read_plain_block(c); b && c.at_end()) return std::move(*b);
  }
  auto j = JsonReader::try_parse(text, max_bytes);
  if (!j) return j.error();
  return block_from_json(*j);
}

Result<Block> block_from_json(const nlohmann::json& j) {
  try {
    return read_block(j);
  } catch (const DecodeFailure& f) {
    return f.error;
  }
}

}  // namespace bank
