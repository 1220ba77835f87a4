// NetworkCore: frames <-> sessions <-> the mutex.
#include "actors/network/network_core.hpp"

#include "messages/json/json_text.hpp"
#include "messages/overload.hpp"

namespace bank {

namespace {
// A send/recv line's fields, {"peer":2,"type":"release"}, as members text.
bool is_upkeep(const PeerBody& body) {
  return std::holds_alternative<HeartbeatMsg>(body) || std::holds_alternative<AckMsg>(body) ||
         std::holds_alternative<NackMsg>(body);
}

std::string log_members(NodeId peer, const PeerBody& body) {
  std::string m = "\"peer\":" + std::to_string(peer) + ",\"type\":";
  append_json_string(m, peer_type_name(body));
  return m;
}

// A send/recv line: the event feed keeps the mutex's messages and shows a release with its
// blocks counted, not copied.
LogOut peer_log(const char* event, Lamport lamport, NodeId peer, const PeerMessage& m, std::string msg) {
  const bool feed = std::holds_alternative<RequestMsg>(m.body) || std::holds_alternative<ReplyMsg>(m.body) ||
                    std::holds_alternative<ReleaseMsg>(m.body);
  return LogOut{.event = event,
                .lamport = lamport,
                .fields = {},
                .msg = std::move(msg),
                .members = log_members(peer, m.body),
                .upkeep = is_upkeep(m.body),
                .feed = feed,
                .brief = std::holds_alternative<ReleaseMsg>(m.body) ? encode_peer_brief(m) : std::string()};
}
}  // namespace

NetworkCore::NetworkCore(NodeId self, std::vector<NodeId> peers, std::uint64_t incarnation, std::string genesis,
                         LinkTimings timings)
    : self_(self) {
  for (NodeId p : peers) sessions_.emplace(p, LinkSession(self, p, incarnation, genesis, timings));
}

void NetworkCore::set_height(std::uint64_t height, const std::string& head) {
  for (auto& [peer, s] : sessions_) s.set_height(height, head);
}

void NetworkCore::goodbye(Outbox& out) {
  for (auto& [peer, s] : sessions_) {
    LinkSession::Output o;
    s.bye(o);
    flush(peer, o, out);
  }
}

const LinkSession* NetworkCore::session(NodeId peer) const {
  auto it = sessions_.find(peer);
  return it == sessions_.end() ? nullptr : &it->second;
}

LinkSession& NetworkCore::timed(LinkSession& s) const {
  s.set_now_us(now_us_);
  return s;
}

// Each peer's figures, and the reply on to the console: the network is the last to add.
void NetworkCore::metrics(MetricsQuery q, Outbox& out) const {
  for (const auto& [peer, s] : sessions_) {
    auto& m = q.reply.peers[peer];
    m.gauges["up"] = s.up() ? 1 : 0;
    m.gauges["unacked"] = s.unacked();
    m.counters["resends"] = s.resends();
    auto lost = losses_.find(peer);
    m.counters["link_losses"] = lost == losses_.end() ? 0 : lost->second;
    auto sent = sent_.find(peer);
    m.counters["frames_sent"] = sent == sent_.end() ? 0 : sent->second;
    m.histograms.insert_or_assign("rtt_us", s.rtt_us());
  }
  out.push_back({Actor::console, ConsoleOut{q.client, std::move(q.reply)}});
}

void NetworkCore::flush(NodeId peer, LinkSession::Output& o, Outbox& out) {
  sent_[peer] += o.wire.size();
  for (const PeerMessage& m : o.wire) {
    std::string text = encode_peer(m);
    out.push_back({Actor::log, peer_log("send", m.lamport, peer, m, text)});
    out.push_back({Actor::wire, WireOut{peer, std::move(text), m.seq}});
  }
  for (PeerMessage& m : o.deliver) out.push_back({Actor::mutex, PeerIn{peer, m.lamport, std::move(m.body)}});
  for (const auto& e : o.events) {
    switch (e.kind) {
      case LinkSession::EventKind::up:
      case LinkSession::EventKind::restarted:
        out.push_back({Actor::mutex, LinkUp{peer, e.lamport, e.kind == LinkSession::EventKind::restarted, e.height, e.incarnation, e.head, false}});
        out.push_back({Actor::log, LogOut{"peer_up", lamport_, {{"peer", peer}}}});
        break;
      case LinkSession::EventKind::greeted:
        out.push_back({Actor::mutex, LinkUp{peer, e.lamport, false, e.height, e.incarnation, e.head, true}});
        break;
      case LinkSession::EventKind::reset:
        // To the mutex as a restart of the peer: both sides drop the old session's requests
        // and re-send their own, so they agree again.
        out.push_back({Actor::mutex, LinkUp{peer, e.lamport, true, e.height, e.incarnation, e.head, false}});
        // A peer that is silent (the likely cause) stays down for the mutex.
        if (!sessions_.at(peer).up()) out.push_back({Actor::mutex, LinkDown{peer}});
        out.push_back({Actor::log, LogOut{"error", lamport_,
                                          {{"error", "node " + std::to_string(peer) + " left more than " +
                                                         std::to_string(LinkSession::kWindow + LinkSession::kHeld) +
                                                         " frames (or " + std::to_string(LinkSession::kMaxBlocks) +
                                                         " blocks) unacknowledged; its session starts over"}}}});
        break;
      case LinkSession::EventKind::down:
        ++losses_[peer];
        out.push_back({Actor::mutex, LinkDown{peer}});
        out.push_back({Actor::log, LogOut{"peer_down", lamport_, {{"peer", peer}, {"reason", "silent"}}}});
        break;
      case LinkSession::EventKind::stopped:
        ++losses_[peer];
        out.push_back({Actor::mutex, LinkDown{peer}});
        out.push_back({Actor::log, LogOut{"peer_down", lamport_, {{"peer", peer}, {"reason", "stopped"}}}});
        break;
      case LinkSession::EventKind::height:
        // A hint, as a request's height is: the ledger fetches what it lacks if no release
        // brings it within a tick.
        out.push_back({Actor::mutex, PeerHeight{.peer = peer, .height = e.height, .restarted = false, .hint = true, .head = {}}});
        break;
      case LinkSession::EventKind::genesis_mismatch:
        out.push_back({Actor::mutex, LinkRefused{peer, "another genesis block: it runs another cluster config"}});
        out.push_back({Actor::log, LogOut{"error", lamport_,
                                          {{"error", "node " + std::to_string(peer) +
                                                         " has another genesis block (another config?); its link is refused"}}}});
        break;
    }
  }
}

void NetworkCore::step(const BusMessage& in, Outbox& out) {
  std::visit(Overload{[&](const WireIn& w) {
                        auto m = decode_peer(w.bytes);
                        if (!m) {
                          // Its summary, never its bytes: the size and a printable excerpt.
                          nlohmann::json summary{{"bytes", w.bytes.size()}, {"head", printable_excerpt(w.bytes)}};
                          out.push_back({Actor::log, LogOut{.event = "error",
                                                            .lamport = lamport_,
                                                            .fields = {{"error", "bad peer frame: " + m.error().message}},
                                                            .msg = summary.dump(),
                                                            .members = {},
                                                            .upkeep = false,
                                                            .feed = false,
                                                            .brief = {}}});
                          return;
                        }
                        // A peer's identity is its key: a frame must come from the node
                        // whose key its connection authenticated.
                        if (w.sender != 0 && m->from != w.sender) {
                          out.push_back({Actor::log, LogOut{"error", lamport_,
                                                            {{"error", "dropped a frame claiming to be from node " +
                                                                           std::to_string(m->from) + " that came with node " +
                                                                           std::to_string(w.sender) + "'s key"}}}});
                          return;
                        }
                        auto it = sessions_.find(m->from);
                        if (it == sessions_.end() || m->from == self_) {
                          out.push_back({Actor::log, LogOut{"error", lamport_,
                                                            {{"error", "frame from unknown node " + std::to_string(m->from)}}}});
                          return;
                        }
                        // The session first: only a frame it takes moves our clock.
                        LinkSession::Output o;
                        timed(it->second).receive(*m, now_ms_, o);
                        lamport_ = std::max(lamport_, o.clock);
                        // The frame as received is the log's "msg" unless it spans lines
                        // (JSON allows newlines between tokens; a log line must not hold one).
                        bool one_line = w.bytes.find_first_of("\r\n") == std::string::npos;
                        out.push_back({Actor::log, peer_log("recv", lamport_, m->from, *m,
                                                            one_line ? w.bytes : nlohmann::json::parse(w.bytes, nullptr, false).dump())});
                        flush(m->from, o, out);
                      },
                      [&](const PeerOut& p) {
                        auto it = sessions_.find(p.to);
                        if (it == sessions_.end()) return;
                        // Meant for an incarnation that has since restarted: void (the old
                        // session's unsent messages were dropped with it for the same reason).
                        if (p.to_inc != 0 && p.to_inc != it->second.peer_incarnation()) return;
                        lamport_ = std::max(lamport_, p.lamport);
                        LinkSession::Output o;
                        timed(it->second).send(p.body, p.lamport, now_ms_, o);
                        flush(p.to, o, out);
                      },
                      [&](const LocalHeight& h) { set_height(h.height, h.head); },
                      [&](const MetricsQuery& q) { metrics(q, out); },
                      [&](const Tick& t) {
                        now_ms_ = t.now_ms;
                        set_now_us(t.now_ms * 1000);
                        for (auto& [peer, s] : sessions_) {
                          LinkSession::Output o;
                          timed(s).tick(now_ms_, lamport_, o);
                          flush(peer, o, out);
                        }
                      },
                      [](const auto&) {}},
             in);
}

}  // namespace bank
