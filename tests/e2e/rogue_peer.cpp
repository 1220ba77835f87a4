// RoguePeer: frames written by hand, as a compromised node would send them.
#include "rogue_peer.hpp"

#include <iterator>
#include <thread>

#include <zmq_addon.hpp>

namespace bank::e2e {

using nlohmann::json;

namespace {
std::uint64_t wall_clock_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}
}  // namespace

RoguePeer::RoguePeer(const ClusterHarness& c, int as, std::string genesis)
    : c_(c), self_(as), genesis_(std::move(genesis)), inc_(wall_clock_us()), head_(genesis_),
      router_(ctx_, zmq::socket_type::router) {
  const NodeSecret own = c.node_secret(as);
  router_.set(zmq::sockopt::curve_server, 1);
  router_.set(zmq::sockopt::curve_secretkey, own.curve.secret_z85());
  router_.set(zmq::sockopt::linger, 0);
  router_.bind("tcp://127.0.0.1:" + std::to_string(c.peer_port(as)));
}

// The port is free when this returns: ending the context waits for its I/O thread to close
// the listener (closing a socket only asks it to).
void RoguePeer::close() {
  links_.clear();
  router_.close();
  ctx_.close();
}

RoguePeer::Link& RoguePeer::link(int to) {
  auto it = links_.find(to);
  if (it == links_.end()) {
    Link l{c_.peer_dealer(ctx_, self_, to, 0), 0, 1, 0};
    l.dealer.set(zmq::sockopt::sndtimeo, 1000);
    it = links_.emplace(to, std::move(l)).first;
  }
  return it->second;
}

std::uint64_t RoguePeer::received(int from) const {
  auto it = links_.find(from);
  return it == links_.end() ? 0 : it->second.received;
}

json RoguePeer::envelope(int to, const std::string& type, std::uint64_t seq) {
  Link& l = link(to);
  return json{{"type", type},       {"from", self_},  {"lamport", ++lamport_}, {"inc", inc_},
              {"to_inc", l.peer_inc}, {"seq", seq},     {"ack", acks ? l.received : 0}};
}

bool RoguePeer::put(Link& l, const json& frame) {
  const std::string text = frame.dump();
  return l.dealer.send(zmq::buffer(text), zmq::send_flags::none).has_value();
}

bool RoguePeer::greet(int to, std::uint64_t height, const std::string& head, std::chrono::milliseconds bound) {
  height_ = height;
  if (!head.empty()) head_ = head;
  const auto deadline = std::chrono::steady_clock::now() + bound;
  bool answered = false;
  while (std::chrono::steady_clock::now() < deadline) {
    json hello = envelope(to, "hello", 0);
    hello["genesis"] = genesis_;
    hello["height"] = height_;
    hello["head"] = head_;
    put(link(to), hello);
    if (answered) return true;  // that hello was addressed to its incarnation: it greets
    for (const json& f : read(std::chrono::milliseconds(100)))
      if (f.value("from", 0) == to && f.value("type", "") == "hello" && f.value("to_inc", std::uint64_t{0}) == inc_)
        answered = true;
  }
  return false;
}

bool RoguePeer::send(int to, const std::string& type, json fields) {
  Link& l = link(to);
  json frame = envelope(to, type, l.next_seq++);
  for (auto& [k, v] : fields.items()) frame[k] = v;
  return put(l, frame);
}

bool RoguePeer::send_plain(int to, const std::string& type, const json& fields) {
  json frame = envelope(to, type, 0);
  for (auto& [k, v] : fields.items()) frame[k] = v;
  return put(link(to), frame);
}

// A node's new incarnation on a link (a restart, or the reset of an overflowing session)
// starts both directions over, as LinkSession does.
void RoguePeer::take(const json& f) {
  if (!f.is_object() || !f.contains("from") || !f.contains("inc")) return;
  const int from = f["from"].get<int>();
  Link& l = link(from);
  const auto inc = f["inc"].get<std::uint64_t>();
  if (inc > l.peer_inc) {
    l.peer_inc = inc;
    l.next_seq = 1;
    l.received = 0;
    l.acked = 0;
  }
  lamport_ = std::max(lamport_, f.value("lamport", std::uint64_t{0})) + 1;
  // Only a frame of its current incarnation, addressed to ours, belongs to the session.
  if (inc != l.peer_inc || f.value("to_inc", std::uint64_t{0}) != inc_) return;
  l.acked = std::max(l.acked, f.value("ack", std::uint64_t{0}));
  if (const auto seq = f.value("seq", std::uint64_t{0}); seq != 0 && seq == l.received + 1) l.received = seq;
}

bool RoguePeer::wait_until(const std::function<bool()>& done, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    read(std::chrono::milliseconds(5));
  }
  return true;
}

bool RoguePeer::wait_acked(int to, std::uint64_t seq, std::chrono::milliseconds bound) {
  return wait_until([&] { return link(to).acked >= seq; }, bound);
}

bool RoguePeer::wait_received(int from, std::uint64_t seq, std::chrono::milliseconds bound) {
  return wait_until([&] { return link(from).received >= seq; }, bound);
}

std::vector<json> RoguePeer::read(std::chrono::milliseconds wait) {
  std::vector<json> frames;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::max(left, std::chrono::milliseconds(0)));
    std::vector<zmq::message_t> parts;
    while (zmq::recv_multipart(router_, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
      json f = json::parse(parts.back().to_string_view(), nullptr, false);
      take(f);
      frames.push_back(std::move(f));
      parts.clear();
    }
    if (std::chrono::steady_clock::now() >= deadline) return frames;
  }
}

std::optional<json> RoguePeer::await(const std::function<bool(const json&)>& match, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline)
    for (json& f : read(std::chrono::milliseconds(20)))
      if (match(f)) return std::move(f);
  return std::nullopt;
}

}  // namespace bank::e2e
