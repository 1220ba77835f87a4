// TraceEvent: the decoder. Strict on what it keeps (a kept event missing a field is an
// error), silent on what it leaves out.
#include "apps/trace/trace_event.hpp"

#include <tuple>

#include "apps/trace/trace_time.hpp"

namespace bank::trace {

namespace {

using nlohmann::json;

Error bad(const std::string& what) { return make_error("trace.bad_event", what); }

bool is_uint(const json& j) { return j.is_number_unsigned() || (j.is_number_integer() && j.get<std::int64_t>() >= 0); }

// Field `key` of `j` as an unsigned number, or an error naming it.
Result<std::uint64_t> uint_field(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return bad(where + " has no \"" + key + "\"");
  if (!is_uint(*it)) return bad(where + "'s \"" + key + "\" is not a non-negative integer");
  return it->get<std::uint64_t>();
}

Result<std::string> string_field(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return bad(where + " has no \"" + key + "\"");
  if (!it->is_string()) return bad(where + "'s \"" + key + "\" is not a string");
  return it->get<std::string>();
}

Result<Stamp> stamp_field(const json& j, const std::string& where) {
  auto it = j.find("req");
  if (it == j.end() || !it->is_object()) return bad(where + " has no \"req\" object");
  auto ts = uint_field(*it, "ts", where + "'s req");
  if (!ts) return ts.error();
  auto node = uint_field(*it, "node", where + "'s req");
  if (!node) return node.error();
  return Stamp{*ts, static_cast<NodeId>(*node)};
}

bool kept_type(std::string_view t) { return t == "request" || t == "reply" || t == "release"; }

// Fills the message part of a send or recv event.
std::optional<Error> read_message(const json& j, TraceEvent& e) {
  const std::string what = "a " + e.event;
  auto peer = uint_field(j, "peer", what);
  if (!peer) return peer.error();
  e.peer = static_cast<NodeId>(*peer);
  auto m = j.find("msg");
  if (m == j.end() || !m->is_object()) return bad(what + " has no \"msg\" object");
  const std::string where = what + "'s msg";
  auto from = uint_field(*m, "from", where);
  if (!from) return from.error();
  auto inc = uint_field(*m, "inc", where);
  if (!inc) return inc.error();
  auto seq = uint_field(*m, "seq", where);
  if (!seq) return seq.error();
  auto lamport = uint_field(*m, "lamport", where);
  if (!lamport) return lamport.error();
  std::uint64_t to_inc = 0;
  if (m->contains("to_inc")) {
    auto t = uint_field(*m, "to_inc", where);
    if (!t) return t.error();
    to_inc = *t;
  }
  auto req = stamp_field(*m, where);
  if (!req) return req.error();
  e.req = *req;
  e.msg_lamport = *lamport;
  const auto sender = static_cast<NodeId>(*from);
  e.key = MessageKey{sender, e.kind == TraceEvent::Kind::send ? e.peer : e.node, *inc, to_inc, *seq};
  if (auto b = m->find("blocks"); b != m->end()) {
    if (b->is_array()) e.blocks = b->size();
    else if (is_uint(*b)) e.blocks = b->get<std::size_t>();
    else return bad(where + "'s \"blocks\" is neither an array nor a count");
  }
  return std::nullopt;
}

// The event for people: one line, a release's blocks as their number (they can be many).
std::string hover_text(const json& j) {
  auto m = j.find("msg");
  if (m != j.end() && m->is_object() && m->contains("blocks") && (*m)["blocks"].is_array()) {
    json copy = j;
    copy["msg"]["blocks"] = (*m)["blocks"].size();
    return copy.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

Result<std::optional<TraceEvent>> TraceEvent::from_json(const json& j) {
  if (!j.is_object()) return bad("not a JSON object");
  auto ts = string_field(j, "ts", "the event");
  if (!ts) return ts.error();
  auto us = TraceTime::parse(*ts);
  if (!us) return bad("\"ts\" is not an RFC 3339 time: " + *ts);
  auto node = uint_field(j, "node", "the event");
  if (!node) return node.error();
  auto lamport = uint_field(j, "lamport", "the event");
  if (!lamport) return lamport.error();
  auto name = string_field(j, "event", "the event");
  if (!name) return name.error();

  TraceEvent e;
  e.event = *name;
  e.ts_us = *us;
  e.node = static_cast<NodeId>(*node);
  e.lamport = *lamport;
  const std::string& n = e.event;
  const std::string what = "a " + n;
  if (n == "send" || n == "recv") {
    auto type = string_field(j, "type", what);
    if (!type) return type.error();
    if (!kept_type(*type)) return std::optional<TraceEvent>{};
    e.kind = n == "send" ? Kind::send : Kind::recv;
    e.type = *type;
    if (auto err = read_message(j, e)) return *err;
  } else if (n == "cs_enter" || n == "cs_exit") {
    e.kind = n == "cs_enter" ? Kind::cs_enter : Kind::cs_exit;
    auto req = stamp_field(j, what);
    if (!req) return req.error();
    e.req = *req;
  } else if (n == "commit") {
    e.kind = Kind::commit;
    auto index = uint_field(j, "index", what);
    if (!index) return index.error();
    auto txid = string_field(j, "txid", what);
    if (!txid) return txid.error();
    auto from = uint_field(j, "from", what);
    if (!from) return from.error();
    auto to = uint_field(j, "to", what);
    if (!to) return to.error();
    auto amount = uint_field(j, "amount", what);
    if (!amount) return amount.error();
    e.index = *index;
    e.txid = *txid;
    e.tx_from = static_cast<NodeId>(*from);
    e.tx_to = static_cast<NodeId>(*to);
    e.amount = static_cast<Cents>(*amount);
  } else if (n == "abort") {
    e.kind = Kind::abort;
    auto txid = string_field(j, "txid", what);
    if (!txid) return txid.error();
    e.txid = *txid;
    if (auto r = j.find("reason"); r != j.end() && r->is_string()) e.note = r->get<std::string>();
  } else if (n == "peer_up" || n == "peer_down") {
    e.kind = n == "peer_up" ? Kind::peer_up : Kind::peer_down;
    auto peer = uint_field(j, "peer", what);
    if (!peer) return peer.error();
    e.peer = static_cast<NodeId>(*peer);
  } else if (n == "start") {
    e.kind = Kind::start;
    if (auto h = j.find("height"); h != j.end() && is_uint(*h)) e.height = h->get<std::uint64_t>();
  } else if (n == "stop") {
    e.kind = Kind::stop;
  } else if (n == "error") {
    e.kind = Kind::error;
    auto text = string_field(j, "error", what);
    if (!text) return text.error();
    e.note = *text;
  } else if (n == "diverged") {
    e.kind = Kind::error;
    auto peer = uint_field(j, "peer", what);
    if (!peer) return peer.error();
    e.peer = static_cast<NodeId>(*peer);
    e.note = "diverged from node " + std::to_string(e.peer);
  } else {
    return std::optional<TraceEvent>{};
  }
  e.text = hover_text(j);
  return std::optional<TraceEvent>{std::move(e)};
}

Result<std::optional<TraceEvent>> TraceEvent::parse_line(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return make_error("trace.not_json", "not a line of JSON");
  return from_json(j);
}

// The node writes a send/recv line's "type" right after "peer", before "msg" (whose own
// "type" says the same): the first "type" after the event name is the message's. JSON
// escapes quotes inside strings, so no value can fake either key.
bool TraceEvent::left_out(std::string_view line) {
  static constexpr std::string_view send = "\"event\":\"send\"", recv = "\"event\":\"recv\"", key = "\"type\":\"";
  auto at = line.find(send);
  if (at == std::string_view::npos) at = line.find(recv);
  if (at == std::string_view::npos) return false;
  auto t = line.find(key, at);
  if (t == std::string_view::npos) return false;
  auto from = t + key.size();
  auto end = line.find('"', from);
  if (end == std::string_view::npos) return false;
  return !kept_type(line.substr(from, end - from));
}

bool trace_order(const TraceEvent& a, const TraceEvent& b) {
  return std::tie(a.ts_us, a.node, a.source, a.order) < std::tie(b.ts_us, b.node, b.source, b.order);
}

}  // namespace bank::trace
