// NetworkShell: peer sockets around NetworkCore.
#include "actors/network/network_shell.hpp"

#include <cstring>
#include <iterator>
#include <stdexcept>

#include <zmq_addon.hpp>

#include "runtime/steady_ms.hpp"

namespace bank {

NetworkShell::NetworkShell(zmq::context_t& ctx, const ClusterConfig& config, NodeId self, NetworkCore core,
                           const NodeSecret* secret, const KeyRing* keys)
    : ActorShell(ctx, Actor::network, kTickMs),
      core_(std::move(core)),
      router_(ctx, zmq::socket_type::router),
      handshakes_(ctx, router_, "peer port"),
      secure_(secret != nullptr),
      self_(self) {
  const NodeConfig& me = *config.find(self);
  if (secure_) {
    public_z85_ = secret->curve.public_z85();
    secret_z85_ = secret->curve.secret_z85();
    router_.set(zmq::sockopt::curve_server, 1);
    router_.set(zmq::sockopt::curve_secretkey, secret_z85_);
    router_.set(zmq::sockopt::zap_domain, std::string(KeyRing::kPeerDomain));
  }
  router_.set(zmq::sockopt::linger, 0);
  router_.set(zmq::sockopt::rcvhwm, kInboxHwm);
  router_.set(zmq::sockopt::handshake_ivl, kHandshakeMs);
  router_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(max_peer_frame + kWireOverhead));
  bind_or_explain(router_, "tcp://" + me.host + ":" + std::to_string(me.port), "peer port");
  for (const NodeConfig& n : config.nodes) {
    if (n.id == self) continue;
    Peer p{"tcp://" + n.host + ":" + std::to_string(n.port), {}, {}, {}, {}, 0};
    if (secure_) {
      const KeyRing::CurveKey* server = keys->node_curve(n.id);
      if (!server) throw std::runtime_error("no public key for node " + std::to_string(n.id));
      p.server = *server;
    }
    dial(n.id, p);
    peers_.emplace(n.id, std::move(p));
  }
}

// The core's tick is the shell's timer too: refused handshakes and the DEALERs' monitor
// events are read on it. Neither is urgent (a redial waits kRedialMs anyway), and keeping
// the monitors out of the thread's poll set spares every wake-up a ZMQ_EVENTS check (a
// system call) per monitor and pass of zmq_poll.
void NetworkShell::step(const BusMessage& in, Outbox& out) {
  if (std::holds_alternative<Tick>(in)) {
    if (auto line = handshakes_.on_tick(steady_ms())) write_log(*line);
    for (auto& [id, p] : peers_) on_monitor(id, p);
  }
  core_.step(in, out);
}

void NetworkShell::dial(NodeId id, Peer& p) {
  if (p.dealer) {
    zmq_socket_monitor(p.dealer.handle(), nullptr, 0);
    p.monitor.close();
    p.dealer.close();
  }
  zmq::socket_t d(ctx_, zmq::socket_type::dealer);
  if (secure_) {
    d.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(p.server.data(), p.server.size()));
    d.set(zmq::sockopt::curve_publickey, public_z85_);
    d.set(zmq::sockopt::curve_secretkey, secret_z85_);
  }
  d.set(zmq::sockopt::sndhwm, kPeerSendHwm);
  d.set(zmq::sockopt::linger, kPeerLingerMs);
  d.set(zmq::sockopt::reconnect_ivl, kReconnectMs);
  d.set(zmq::sockopt::reconnect_ivl_max, kReconnectMaxMs);
  const std::string watch = "inproc://peer-monitor-" + std::to_string(self_) + "-" + std::to_string(id) + "-" +
                            std::to_string(++dials_);
  if (zmq_socket_monitor(d.handle(), watch.c_str(),
                         ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                             ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                             ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_CONNECTED) != 0)
    throw zmq::error_t();
  zmq::socket_t m(ctx_, zmq::socket_type::pair);
  m.connect(watch);
  d.connect(p.endpoint);
  p.dealer = std::move(d);
  p.monitor = std::move(m);
  p.redial_at = 0;
}

// A monitor event is two frames: 2 bytes of event id and 4 of value, then the endpoint.
// libzmq dials again after a broken connection (it reports CONNECT_RETRIED), but not after a
// protocol or handshake error (the peer spoke junk, or refused our key): a disconnection
// that no retry follows within kRedialMs gets a new DEALER.
void NetworkShell::on_monitor(NodeId id, Peer& p) {
  std::vector<zmq::message_t> parts;
  while (zmq::recv_multipart(p.monitor, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
    std::uint16_t event = 0;
    if (!parts.empty() && parts[0].size() >= sizeof event) std::memcpy(&event, parts[0].data(), sizeof event);
    parts.clear();
    if (event == ZMQ_EVENT_CONNECT_RETRIED || event == ZMQ_EVENT_CONNECTED) {
      p.redial_at = 0;
    } else if (p.redial_at == 0) {
      p.redial_at = steady_ms() + kRedialMs;
      if (event != ZMQ_EVENT_DISCONNECTED)
        write_log(LogOut{"error", 0, {{"error", "the link to node " + std::to_string(id) + " at " + p.endpoint +
                                                    " failed its handshake (not a node, or its key is not the "
                                                    "one this node knows)"}}});
    }
  }
}

void NetworkShell::flush(Peer& p) {
  while (!p.backlog.empty()) {
    const WireOut& w = p.backlog.front();
    if (!p.dealer.send(zmq::buffer(w.bytes), zmq::send_flags::dontwait)) return;
    p.backlog.pop_front();
  }
}

void NetworkShell::on_stop() {
  for (const LogOut& l : handshakes_.on_stop(steady_ms())) write_log(l);
  Outbox out;
  core_.goodbye(out);
  for (Addressed& a : out) {
    if (a.to == Actor::wire) deliver(a);
    if (const auto* e = std::get_if<LogOut>(&a.msg)) write_log(*e);
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
  if (p.backlog.size() < kPeerBacklogMax) p.backlog.push_back(std::move(*w));
}

// Items: the ROUTER, then the DEALERs that have a backlog to send.
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
      WireIn in{parts[1].to_string(), 0};
      if (secure_) {
        // Set by our ZAP handler for every admitted connection: "node-N".
        auto who = Principal::from_user_id(parts[1].gets("User-Id"));
        if (!who || who->kind != Principal::Kind::node) continue;
        in.sender = who->id;
      }
      feed(std::move(in));
    }
  }
  const std::int64_t now = steady_ms();
  for (auto& [id, p] : peers_) {
    if (p.redial_at != 0 && now >= p.redial_at) dial(id, p);
    if (!p.backlog.empty()) flush(p);
  }
}

}  // namespace bank
