// NetworkShell: peer sockets around NetworkCore.
#include "actors/network/network_shell.hpp"

#include <iterator>

#include <zmq_addon.hpp>

namespace bank {

NetworkShell::NetworkShell(zmq::context_t& ctx, const ClusterConfig& config, NodeId self,
                           NetworkCore core)
    : ActorShell(ctx, Actor::network, kTickMs), core_(std::move(core)), router_(ctx, zmq::socket_type::router) {
  const NodeConfig& me = *config.find(self);
  router_.set(zmq::sockopt::router_handover, 1);
  router_.set(zmq::sockopt::router_mandatory, 1);
  router_.set(zmq::sockopt::linger, 0);
  router_.set(zmq::sockopt::rcvhwm, 0);
  router_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(max_peer_frame));
  bind_or_explain(router_, "tcp://" + me.host + ":" + std::to_string(me.port), "peer port");
  for (const NodeConfig& n : config.nodes) {
    if (n.id == self) continue;
    zmq::socket_t d(ctx, zmq::socket_type::dealer);
    d.set(zmq::sockopt::routing_id, std::to_string(self));
    d.set(zmq::sockopt::sndhwm, kPeerSendHwm);
    d.set(zmq::sockopt::linger, kPeerLingerMs);
    d.set(zmq::sockopt::reconnect_ivl, kReconnectMs);
    d.set(zmq::sockopt::reconnect_ivl_max, kReconnectMaxMs);
    d.connect("tcp://" + n.host + ":" + std::to_string(n.port));
    peers_.emplace(n.id, Peer{std::move(d), {}});
  }
}

void NetworkShell::flush(Peer& p) {
  while (!p.backlog.empty()) {
    const WireOut& w = p.backlog.front();
    if (!p.dealer.send(zmq::buffer(w.bytes), zmq::send_flags::dontwait)) return;
    p.backlog.pop_front();
  }
}

void NetworkShell::deliver(Addressed& a) {
  auto* w = std::get_if<WireOut>(&a.msg);
  if (!w) return;
  auto it = peers_.find(w->to);
  if (it == peers_.end()) return;
  Peer& p = it->second;
  if (p.backlog.empty() && p.dealer.send(zmq::buffer(w->bytes), zmq::send_flags::dontwait)) return;
  // Held back. Heartbeats, acks and hellos are periodic and carry no data: a newer one
  // follows. A resent sequenced frame replaces its earlier copy instead of queueing twice.
  if (w->seq == 0) return;
  for (auto& q : p.backlog)
    if (q.seq == w->seq) {
      q = std::move(*w);
      return;
    }
  p.backlog.push_back(std::move(*w));
}

std::vector<zmq::pollitem_t> NetworkShell::extra_items() {
  std::vector<zmq::pollitem_t> items{{router_.handle(), 0, ZMQ_POLLIN, 0}};
  for (auto& [id, p] : peers_)
    if (!p.backlog.empty()) items.push_back({p.dealer.handle(), 0, ZMQ_POLLOUT, 0});
  return items;
}

void NetworkShell::on_ready(const std::vector<zmq::pollitem_t>& items) {
  if (items[0].revents & ZMQ_POLLIN) {
    for (int n = 0; n < kFramesPerWake; ++n) {
      std::vector<zmq::message_t> parts;
      if (!zmq::recv_multipart(router_, std::back_inserter(parts), zmq::recv_flags::dontwait)) break;
      if (parts.size() != 2) {
        write_log(LogOut{"error", 0, {{"error", "peer frame with " + std::to_string(parts.size() - 1) +
                                                    " parts refused; a peer frame is one JSON object"}}});
        continue;
      }
      feed(WireIn{parts[1].to_string()});
    }
  }
  for (auto& [id, p] : peers_)
    if (!p.backlog.empty()) flush(p);
}

}  // namespace bank
