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
  if (cmd == "metrics") {
    r.only({"cmd"});
    return MetricsCmd{};
  }
  if (cmd == "events") {
    r.only({"cmd", "since", "limit"});
    EventsCmd e;
    if (r.has("since")) e.since = r.u64("since");
    if (r.has("limit")) {
      e.limit = r.u64("limit");
      if (*e.limit == 0) JsonReader::fail("codec.range", "field 'limit' of request must be positive");
    }
    return e;
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

std::vector<std::uint64_t> read_u64s(const nlohmann::json& a, const std::string& what) {
  std::vector<std::uint64_t> out;
  for (const auto& x : a) {
    if (!x.is_number_unsigned()) JsonReader::fail("codec.type", what + " must hold non-negative integers");
    out.push_back(x.get<std::uint64_t>());
  }
  return out;
}

// Each value of a name -> figure object.
template <class F>
void each_named(const JsonReader& r, const char* key, F&& f) {
  for (const auto& item : r.object(key).items()) {
    if (item.key().empty() || item.key().size() > 64)
      JsonReader::fail("codec.range", std::string("a name in '") + key + "' must be 1 to 64 characters");
    f(item.key(), item.value());
  }
}

MetricSet read_metric_set(const nlohmann::json& j, const std::string& what) {
  JsonReader r(j, what);
  r.only({"counters", "gauges", "histograms"});
  MetricSet m;
  for (auto [key, into] : {std::pair{"counters", &m.counters}, std::pair{"gauges", &m.gauges}})
    each_named(r, key, [&, into = into](const std::string& name, const nlohmann::json& v) {
      if (!v.is_number_unsigned())
        JsonReader::fail("codec.type", "metric '" + printable_excerpt(name) + "' must be a non-negative integer");
      (*into)[name] = v.get<std::uint64_t>();
    });
  each_named(r, "histograms", [&](const std::string& name, const nlohmann::json& v) {
    JsonReader h(v, "histogram '" + printable_excerpt(name) + "'");
    h.only({"bounds", "counts", "sum", "count"});
    auto bounds = read_u64s(h.array("bounds"), "its bounds");
    auto counts = read_u64s(h.array("counts"), "its counts");
    auto histogram = Histogram::from_parts(bounds, counts, h.u64("sum"));
    if (!histogram || histogram->count() != h.u64("count"))
      JsonReader::fail("codec.range", "histogram '" + printable_excerpt(name) +
                                          "' needs ascending bounds (at most 24), one count more than bounds, "
                                          "and a count that is their sum");
    m.histograms.emplace(name, *histogram);
  });
  return m;
}

MetricsReply read_metrics(const JsonReader& r) {
  r.only({"ok", "node", "metrics"});
  MetricsReply m{.node = r.node_id("node"), .metrics = {}, .peers = {}};
  const auto& all = r.object("metrics");
  JsonReader metrics(all, "metrics");
  metrics.only({"counters", "gauges", "histograms", "peers"});
  nlohmann::json own = all;
  own.erase("peers");
  m.metrics = read_metric_set(own, "metrics");
  for (const auto& item : metrics.object("peers").items())
    m.peers[JsonReader::node_id_from_string(item.key(), "peers")] = read_metric_set(item.value(), "peer " + item.key());
  return m;
}

EventsReply read_events(const JsonReader& r) {
  r.only({"ok", "events", "next", "first"});
  EventsReply e{.events = {}, .next = r.u64("next"), .first = r.u64("first")};
  for (const auto& event : r.array("events")) {
    if (!event.is_object()) JsonReader::fail("codec.type", "every event must be an object");
    e.events.push_back(event.dump());
  }
  return e;
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
                             [&](const VerifyCmd&) -> ConsoleReply { return read_verify(r); },
                             [&](const MetricsCmd&) -> ConsoleReply { return read_metrics(r); },
                             [&](const EventsCmd&) -> ConsoleReply { return read_events(r); }},
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
                             [](const VerifyCmd&) { return nlohmann::json{{"cmd", "verify"}}; },
                             [](const MetricsCmd&) { return nlohmann::json{{"cmd", "metrics"}}; },
                             [](const EventsCmd& e) {
                               nlohmann::json j{{"cmd", "events"}};
                               if (e.since) j["since"] = e.since;
                               if (e.limit) j["limit"] = *e.limit;
                               return j;
                             }},
                    request);
}

namespace {
nlohmann::json histogram_to_json(const Histogram& h) {
  return nlohmann::json{{"bounds", std::vector<std::uint64_t>(h.bounds().begin(), h.bounds().end())},
                        {"counts", std::vector<std::uint64_t>(h.counts().begin(), h.counts().end())},
                        {"sum", h.sum()},
                        {"count", h.count()}};
}

nlohmann::json metric_set_to_json(const MetricSet& m) {
  nlohmann::json j{{"counters", nlohmann::json::object()},
                   {"gauges", nlohmann::json::object()},
                   {"histograms", nlohmann::json::object()}};
  for (const auto& [name, v] : m.counters) j["counters"][name] = v;
  for (const auto& [name, v] : m.gauges) j["gauges"][name] = v;
  for (const auto& [name, h] : m.histograms) j["histograms"][name] = histogram_to_json(h);
  return j;
}

// The events as they are, spliced in: sorted keys around them, as dump() prints the reply.
std::string events_text(const EventsReply& e) {
  std::size_t size = 64;
  for (const auto& event : e.events) size += event.size() + 1;
  std::string text;
  text.reserve(size);
  text += R"({"events":[)";
  for (std::size_t i = 0; i < e.events.size(); ++i) {
    if (i) text += ',';
    text += e.events[i];
  }
  text += R"(],"first":)" + std::to_string(e.first) + R"(,"next":)" + std::to_string(e.next) + R"(,"ok":true})";
  return text;
}
}  // namespace

std::string console_reply_text(const ConsoleReply& reply) {
  if (const auto* e = std::get_if<EventsReply>(&reply)) return events_text(*e);
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
               [](const MetricsReply& m) {
                 nlohmann::json metrics = metric_set_to_json(m.metrics);
                 metrics["peers"] = nlohmann::json::object();
                 for (const auto& [peer, set] : m.peers) metrics["peers"][std::to_string(peer)] = metric_set_to_json(set);
                 return nlohmann::json{{"ok", true}, {"node", m.node}, {"metrics", std::move(metrics)}};
               },
               [](const EventsReply& e) {
                 auto events = nlohmann::json::array();
                 for (const auto& event : e.events) events.push_back(nlohmann::json::parse(event, nullptr, false));
                 return nlohmann::json{{"ok", true}, {"events", std::move(events)}, {"next", e.next}, {"first", e.first}};
               },
               [](const FailureReply& f) {
                 nlohmann::json j{{"ok", false}, {"status", f.status}, {"error", f.error}};
                 if (f.txid) j["txid"] = *f.txid;
                 return j;
               }},
      reply);
}

}  // namespace bank
