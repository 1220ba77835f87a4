// NetworkCore: frames <-> sessions <-> the mutex.
#include "actors/network/network_core.hpp"

#include "messages/json/json_text.hpp"
#include "messages/overload.hpp"

namespace bank {

namespace {
// A send/recv line's fields, {"peer":2,"type":"release"}, as members text.
bool is_upkeep(const PeerBody& body) {
  return std::holds_alternative<HeartbeatMsg>(body) || std::holds_alternative<AckMsg>(body);
}

std::string log_members(NodeId peer, const PeerBody& body) {
  std::string m = "\"peer\":" + std::to_string(peer) + ",\"type\":";
  append_json_string(m, peer_type_name(body));
  return m;
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

void NetworkCore::flush(NodeId peer, LinkSession::Output& o, Outbox& out) {
  for (const PeerMessage& m : o.wire) {
    std::string text = encode_peer(m);
    out.push_back({Actor::log, LogOut{.event = "send", .lamport = m.lamport, .fields = {}, .msg = text,
                                      .members = log_members(peer, m.body), .upkeep = is_upkeep(m.body)}});
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
        out.push_back({Actor::mutex, LinkDown{peer}});
        out.push_back({Actor::log, LogOut{"peer_down", lamport_, {{"peer", peer}, {"reason", "silent"}}}});
        break;
      case LinkSession::EventKind::stopped:
        out.push_back({Actor::mutex, LinkDown{peer}});
        out.push_back({Actor::log, LogOut{"peer_down", lamport_, {{"peer", peer}, {"reason", "stopped"}}}});
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
                                                            .members = {}}});
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
                        it->second.receive(*m, now_ms_, o);
                        lamport_ = std::max(lamport_, o.clock);
                        // The frame as received is the log's "msg" unless it spans lines
                        // (JSON allows newlines between tokens; a log line must not hold one).
                        bool one_line = w.bytes.find_first_of("\r\n") == std::string::npos;
                        out.push_back({Actor::log, LogOut{.event = "recv",
                                                          .lamport = lamport_,
                                                          .fields = {},
                                                          .msg = one_line ? w.bytes : nlohmann::json::parse(w.bytes, nullptr, false).dump(),
                                                          .members = log_members(m->from, m->body),
                                                          .upkeep = is_upkeep(m->body)}});
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
                        it->second.send(p.body, p.lamport, now_ms_, o);
                        flush(p.to, o, out);
                      },
                      [&](const LocalHeight& h) { set_height(h.height, h.head); },
                      [&](const Tick& t) {
                        now_ms_ = t.now_ms;
                        for (auto& [peer, s] : sessions_) {
                          LinkSession::Output o;
                          s.tick(now_ms_, lamport_, o);
                          flush(peer, o, out);
                        }
                      },
                      [](const auto&) {}},
             in);
}

}  // namespace bank
