// HandshakeWatch: failed handshakes on a server socket, from its monitor, into the log.
#include "runtime/handshake_watch.hpp"

#include <atomic>
#include <cstring>
#include <iterator>
#include <vector>

#include <zmq_addon.hpp>

namespace bank {

namespace {

// What a failed handshake's event says of its client.
std::string describe(std::uint16_t event, std::uint32_t value) {
  if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
    if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
      return "another security mechanism than this port's: a plain ZeroMQ client at a CURVE port, say";
    if (value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC) return "CURVE that failed: a client without this node's key";
    return "a ZeroMQ protocol error (" + std::to_string(value) + ")";
  }
  return "closed or timed out before it finished";
}

}  // namespace

HandshakeWatch::HandshakeWatch(zmq::context_t& ctx, zmq::socket_t& server, std::string port)
    : server_(server), monitor_(ctx, zmq::socket_type::pair), port_(std::move(port)) {
  // An endpoint of its own for each watch.
  static std::atomic<unsigned> watches{0};
  const std::string endpoint = "inproc://handshake-watch-" + std::to_string(++watches);
  if (zmq_socket_monitor(server_.handle(), endpoint.c_str(),
                         ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) != 0)
    throw zmq::error_t();
  monitor_.connect(endpoint);
}

HandshakeWatch::~HandshakeWatch() { zmq_socket_monitor(server_.handle(), nullptr, 0); }

// A monitor event is two frames: 2 bytes of event id and 4 of value, then the endpoint.
std::optional<LogOut> HandshakeWatch::on_tick(std::int64_t now_ms) {
  std::optional<RefusalCounter::Line> due;
  std::vector<zmq::message_t> parts;
  while (zmq::recv_multipart(monitor_, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
    std::uint16_t event = 0;
    std::uint32_t value = 0;
    if (!parts.empty() && parts[0].size() >= sizeof event + sizeof value) {
      std::memcpy(&event, parts[0].data(), sizeof event);
      std::memcpy(&value, static_cast<const char*>(parts[0].data()) + sizeof event, sizeof value);
    }
    parts.clear();
    if (auto l = refused_.add(now_ms, describe(event, value))) due = std::move(l);
  }
  if (!due) due = refused_.due(now_ms);
  return line(due);
}

std::vector<LogOut> HandshakeWatch::on_stop(std::int64_t now_ms) {
  std::vector<LogOut> lines;
  if (auto l = on_tick(now_ms)) lines.push_back(std::move(*l));
  if (auto l = line(refused_.flush())) lines.push_back(std::move(*l));
  return lines;
}

std::optional<LogOut> HandshakeWatch::line(const std::optional<RefusalCounter::Line>& l) const {
  if (!l) return std::nullopt;
  return LogOut{"error", 0,
                {{"error", std::to_string(l->count) + " connection(s) on the " + port_ +
                               " failed the ZeroMQ handshake, before any key was checked (latest: " + l->latest + ")"}}};
}

}  // namespace bank
