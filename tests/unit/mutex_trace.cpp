// MutexTrace: the trace format's parser, its commands and the printing of every output.
#include "mutex_trace.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <variant>

#include "core_outputs.hpp"
#include "messages/overload.hpp"

namespace bank::unit {

namespace {

// The block the tests build for a txid: a transfer of 100 from 1 to 2.
Block test_block(std::uint64_t index, const std::string& txid) {
  Block b;
  b.index = index;
  b.tx = Tx{txid, 1, 2, 100, 0};
  return b;
}

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> parts;
  if (text.empty()) return parts;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(by, start)) != std::string::npos; start = at + 1)
    parts.push_back(text.substr(start, at - start));
  parts.push_back(text.substr(start));
  return parts;
}

std::uint64_t number(const std::string& text) {
  std::size_t used = 0;
  std::uint64_t n = std::stoull(text, &used);
  if (used != text.size()) throw std::invalid_argument("not a number: " + text);
  return n;
}

Stamp stamp(const std::string& text) {
  auto parts = split(text, '.');
  if (parts.size() != 2) throw std::invalid_argument("not a stamp ts.node: " + text);
  return {number(parts[0]), static_cast<NodeId>(number(parts[1]))};
}

std::vector<NodeId> nodes(const std::string& text) {
  std::vector<NodeId> ids;
  for (const auto& p : split(text, ',')) ids.push_back(static_cast<NodeId>(number(p)));
  return ids;
}

std::vector<Block> blocks(const std::string& text) {
  std::vector<Block> found;
  for (const auto& b : split(text, ',')) {
    auto colon = b.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("not a block index:txid: " + b);
    found.push_back(test_block(number(b.substr(0, colon)), b.substr(colon + 1)));
  }
  return found;
}

std::string text(const Stamp& s) { return std::to_string(s.ts) + "." + std::to_string(s.node); }

template <class T, class F>
std::string joined(const std::vector<T>& items, F each) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ",") + each(item);
  return s;
}

std::string text(const std::vector<NodeId>& ids) {
  return joined(ids, [](NodeId id) { return std::to_string(id); });
}

std::string text(const std::vector<Block>& bs) {
  return "[" + joined(bs, [](const Block& b) {
           return b.tx && b == test_block(b.index, b.tx->txid) ? std::to_string(b.index) + ":" + b.tx->txid : block_text(b);
         }) + "]";
}

std::string text(const PeerBody& body) {
  return std::visit(
      Overload{[](const HelloMsg& m) { return "hello genesis=" + m.genesis + " height=" + std::to_string(m.height); },
               [](const HeartbeatMsg&) { return std::string("heartbeat"); },
               [](const AckMsg&) { return std::string("ack"); },
               [](const NackMsg&) { return std::string("nack"); },
               [](const ByeMsg&) { return std::string("bye"); },
               [](const RequestMsg& m) { return "request=" + text(m.req) + " height=" + std::to_string(m.height); },
               [](const ReplyMsg& m) { return "reply=" + text(m.req) + " height=" + std::to_string(m.height); },
               [](const ReleaseMsg& m) { return "release=" + text(m.req) + " blocks=" + text(m.blocks); },
               [](const SyncMsg& m) { return "sync=" + std::to_string(m.from); },
               [](const BlocksMsg& m) { return "blocks-msg blocks=" + text(m.blocks) + " height=" + std::to_string(m.height); }},
      body);
}

std::string text(const StatusReply& r) {
  std::string s = "id=" + std::to_string(r.id) + " lamport=" + std::to_string(r.lamport) +
                  " height=" + std::to_string(r.height) + " head=" + r.head +
                  " queue=" + joined(r.queue, [](const Stamp& q) { return text(q); }) + " peers=";
  return s + joined(r.peers, [](const PeerState& p) {
           return std::to_string(p.id) + ":" + (p.connected ? "up" : "down") + (p.refused.empty() ? "" : "(" + p.refused + ")");
         });
}

const char* text(Actor a) {
  static const char* const names[] = {"network", "mutex", "ledger", "bank", "wire", "console", "log"};
  return names[static_cast<int>(a)];
}

std::string text(const BusMessage& msg) {
  return std::visit(
      Overload{[](const PeerOut& p) {
                 return "peer-out to=" + std::to_string(p.to) + " lamport=" + std::to_string(p.lamport) +
                        " inc=" + std::to_string(p.to_inc) + " " + text(p.body);
               },
               [](const PeerIn& p) {
                 return "peer-in from=" + std::to_string(p.from) + " lamport=" + std::to_string(p.lamport) + " " + text(p.body);
               },
               [](const Granted& g) { return "granted req=" + text(g.req) + " lamport=" + std::to_string(g.lamport); },
               [](const ApplyBlocks& a) {
                 return "apply from=" + std::to_string(a.from) + " lamport=" + std::to_string(a.lamport) +
                        " blocks=" + text(a.blocks);
               },
               [](const Withdrawn& w) { return "withdrawn silent=" + text(w.silent); },
               [](const PeerHeight& h) {
                 return "peer-height peer=" + std::to_string(h.peer) + " height=" + std::to_string(h.height) +
                        (h.restarted ? " restarted" : "") + (h.hint ? " hint" : "");
               },
               [](const LocalHeight& h) { return "local-height height=" + std::to_string(h.height); },
               [](const StatusQuery& q) { return "status client=" + std::to_string(q.client) + " " + text(q.reply); },
               [](const LogOut& l) {
                 return l.event + " lamport=" + std::to_string(l.lamport) + " " + with_fields(l).fields.dump() +
                        (l.msg.empty() ? "" : " msg=" + l.msg);
               },
               [&msg](const auto&) { return "message #" + std::to_string(msg.index()) + " (the trace cannot print it)"; }},
      msg);
}

// A message in flight on the link (from, to).
std::string text(const std::pair<NodeId, NodeId>& link, const PeerIn& p) {
  return std::to_string(link.first) + "->" + std::to_string(link.second) + " lamport=" + std::to_string(p.lamport) +
         " " + text(p.body);
}

// A command line's words: the first is the command, the rest key=value or bare flags; a
// value may be "quoted" to hold spaces.
std::pair<std::string, std::map<std::string, std::string>> parse(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ' ' && !quoted) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  if (words.empty()) throw std::invalid_argument("an empty command");
  std::map<std::string, std::string> args;
  for (std::size_t i = 1; i < words.size(); ++i) {
    auto eq = words[i].find('=');
    std::string key = words[i].substr(0, eq);
    if (!args.emplace(key, eq == std::string::npos ? "" : words[i].substr(eq + 1)).second)
      throw std::invalid_argument("argument " + key + " given twice");
  }
  return {words[0], std::move(args)};
}

// Takes an argument out of `args`: every argument must be used, so a misspelt one is an error.
std::string take(std::map<std::string, std::string>& args, const std::string& key) {
  auto it = args.find(key);
  if (it == args.end()) throw std::invalid_argument("missing argument " + key);
  std::string value = std::move(it->second);
  args.erase(it);
  return value;
}

std::string take_or(std::map<std::string, std::string>& args, const std::string& key, const std::string& otherwise) {
  return args.contains(key) ? take(args, key) : otherwise;
}

bool flag(std::map<std::string, std::string>& args, const std::string& key) {
  if (!args.contains(key)) return false;
  if (!take(args, key).empty()) throw std::invalid_argument(key + " is a flag, without a value");
  return true;
}

PeerBody peer_body(std::map<std::string, std::string>& args) {
  auto height = [&] { return number(take_or(args, "height", "0")); };
  if (args.contains("request")) return RequestMsg{stamp(take(args, "request")), height()};
  if (args.contains("reply")) return ReplyMsg{stamp(take(args, "reply")), height()};
  if (args.contains("release")) return ReleaseMsg{stamp(take(args, "release")), blocks(take_or(args, "blocks", ""))};
  if (flag(args, "heartbeat")) return HeartbeatMsg{};
  if (args.contains("sync")) return SyncMsg{number(take(args, "sync"))};
  if (flag(args, "blocks-msg")) return BlocksMsg{blocks(take_or(args, "blocks", "")), height()};
  throw std::invalid_argument("no message body (request=, reply=, release=, heartbeat, sync=, blocks-msg)");
}

std::string lines(const std::vector<std::string>& ls) {
  std::string s;
  for (const auto& l : ls) s += l + "\n";
  return s;
}

}  // namespace

MutexTrace::MutexTrace(std::string path) : path_(std::move(path)) {}

std::vector<MutexTrace::Mismatch> MutexTrace::run() {
  std::ifstream in(path_);
  if (!in) throw std::runtime_error("cannot read " + path_);
  std::vector<std::string> file;
  for (std::string l; std::getline(in, l);) file.push_back(l);
  std::vector<Mismatch> mismatches;
  rewritten_.clear();
  cores_.clear();
  links_.clear();
  cluster_ = false;
  for (std::size_t i = 0; i < file.size();) {
    const std::string& line = file[i];
    if (line.empty() || line[0] == '#') {
      rewritten_ += line + "\n";
      ++i;
      continue;
    }
    const std::size_t at = i + 1;  // 1-based, for messages
    if (i + 1 >= file.size() || file[i + 1] != "----")
      throw std::runtime_error(path_ + ":" + std::to_string(at) + ": a command needs a ---- line under it");
    std::string expected;
    for (i += 2; i < file.size() && !file[i].empty(); ++i) expected += file[i] + "\n";
    std::vector<std::string> out;
    try {
      auto [command, args] = parse(line);
      out = execute(command, args);
      if (!args.empty()) throw std::invalid_argument("unknown argument " + args.begin()->first);
    } catch (const std::exception& e) {
      out = {std::string("error: ") + e.what()};
    }
    if (out.empty()) out.push_back("(no output)");
    const std::string actual = lines(out);
    rewritten_ += line + "\n----\n" + actual;
    if (actual != expected) mismatches.push_back({at, line, expected, actual});
  }
  return mismatches;
}

std::vector<std::string> MutexTrace::execute(const std::string& command, Args& args) {
  if (command == "new") {
    if (cluster_) throw std::invalid_argument("new after cluster");
    create(static_cast<NodeId>(number(take(args, "node"))), nodes(take(args, "peers")));
    return {};
  }
  if (command == "cluster") {
    if (!cores_.empty()) throw std::invalid_argument("cluster after other cores");
    cluster_ = true;
    auto ids = nodes(take(args, "ids"));
    for (NodeId id : ids) {
      std::vector<NodeId> peers;
      for (NodeId p : ids)
        if (p != id) peers.push_back(p);
      create(id, peers);
    }
    std::vector<std::string> out;
    for (NodeId id : ids)
      for (NodeId p : ids)
        if (p != id)
          for (auto& l : step(id, LinkUp{p, 0, false})) out.push_back(std::to_string(id) + " " + l);
    return out;
  }
  if (command == "deliver") {
    NodeId from = static_cast<NodeId>(number(take(args, "from")));
    return deliver(from, static_cast<NodeId>(number(take(args, "to"))));
  }
  if (command == "deliver-all") {
    std::vector<std::string> out;
    for (;;) {
      auto busy = std::find_if(links_.begin(), links_.end(), [](const auto& l) { return !l.second.empty(); });
      if (busy == links_.end()) return out;
      auto [from, to] = busy->first;
      out.push_back(text(busy->first, busy->second.front()));
      for (auto& l : deliver(from, to)) out.push_back("  " + l);
    }
  }
  if (command == "in-flight") return in_flight();
  NodeId node = target(args);
  if (command == "state") return state(node);
  if (command == "greet") {
    Lamport lamport = number(take_or(args, "lamport", "0"));
    std::vector<std::string> out;
    for (NodeId p : cores_.at(node).peers())
      for (auto& l : step(node, LinkUp{p, lamport, false})) out.push_back(std::move(l));
    return out;
  }
  if (command == "linkup") {
    LinkUp u;
    u.peer = static_cast<NodeId>(number(take(args, "peer")));
    u.lamport = number(take_or(args, "lamport", "0"));
    u.restarted = flag(args, "restarted");
    u.height = number(take_or(args, "height", "0"));
    u.incarnation = number(take_or(args, "inc", "0"));
    u.greeting = !flag(args, "ungreeted");
    return step(node, u);
  }
  if (command == "linkdown") return step(node, LinkDown{static_cast<NodeId>(number(take(args, "peer")))});
  if (command == "refuse") {
    NodeId peer = static_cast<NodeId>(number(take(args, "peer")));
    return step(node, LinkRefused{peer, take(args, "why")});
  }
  if (command == "recv") {
    NodeId from = static_cast<NodeId>(number(take(args, "from")));
    Lamport lamport = number(take(args, "lamport"));
    return step(node, PeerIn{from, lamport, peer_body(args)});
  }
  if (command == "acquire") return step(node, Acquire{});
  if (command == "withdraw") return step(node, Withdraw{});
  if (command == "release") {
    Stamp req = stamp(take(args, "req"));
    return step(node, Release{req, blocks(take_or(args, "blocks", ""))});
  }
  if (command == "local-height") return step(node, LocalHeight{number(take(args, "height"))});
  if (command == "send") {
    NodeId to = static_cast<NodeId>(number(take(args, "to")));
    return step(node, PeerOut{to, 0, peer_body(args), 0});
  }
  if (command == "status") {
    StatusQuery q;
    q.client = number(take_or(args, "client", "0"));
    q.reply.height = number(take_or(args, "height", "0"));
    q.reply.head = take_or(args, "head", "");
    return step(node, q);
  }
  throw std::invalid_argument("unknown command " + command);
}

std::vector<std::string> MutexTrace::step(NodeId node, const BusMessage& in) {
  auto core = cores_.find(node);
  if (core == cores_.end()) throw std::invalid_argument("no core " + std::to_string(node));
  Outbox out = unit::step(core->second, in);
  std::vector<std::string> printed;
  for (const auto& a : out) {
    printed.push_back(std::string(text(a.to)) + ": " + text(a.msg));
    if (const auto* p = std::get_if<PeerOut>(&a.msg); p && cluster_)
      links_[{node, p->to}].push_back(PeerIn{node, p->lamport, p->body});
  }
  int holding = 0;
  for (const auto& [id, c] : cores_) holding += c.holding();
  if (holding > 1) printed.push_back("!! " + std::to_string(holding) + " cores hold");
  return printed;
}

std::vector<std::string> MutexTrace::deliver(NodeId from, NodeId to) {
  auto& q = links_[{from, to}];
  if (q.empty()) throw std::invalid_argument("nothing in flight from " + std::to_string(from) + " to " + std::to_string(to));
  PeerIn p = std::move(q.front());
  q.pop_front();
  return step(to, p);
}

std::vector<std::string> MutexTrace::state(NodeId node) const {
  const MutexCore& m = cores_.at(node);
  const char* states[] = {"idle", "requested", "holding"};
  std::vector<NodeId> heard, up;
  for (NodeId p : m.peers()) {
    if (m.heard_after_own(p)) heard.push_back(p);
    if (m.link_up(p)) up.push_back(p);
  }
  return {"clock=" + std::to_string(m.clock()) + " state=" + states[static_cast<int>(m.state())] +
              " own=" + (m.own() ? text(*m.own()) : "none") + (m.wanted() ? " wanted" : ""),
          "queue=" + joined(std::vector<Stamp>(m.queue().begin(), m.queue().end()), [](const Stamp& s) { return text(s); }) +
              " heard=" + text(heard) + " silent=" + text(m.silent()) + " up=" + text(up)};
}

std::vector<std::string> MutexTrace::in_flight() const {
  std::vector<std::string> out;
  for (const auto& [link, q] : links_)
    for (const auto& p : q)
      out.push_back(text(link, p));
  return out;
}

NodeId MutexTrace::target(Args& args) const {
  if (args.contains("node")) return static_cast<NodeId>(number(take(args, "node")));
  if (cores_.size() != 1) throw std::invalid_argument("which core? name it with node=");
  return cores_.begin()->first;
}

void MutexTrace::create(NodeId self, std::vector<NodeId> peers) {
  if (!cores_.emplace(self, MutexCore(self, std::move(peers))).second)
    throw std::invalid_argument("core " + std::to_string(self) + " exists");
}

}  // namespace bank::unit
