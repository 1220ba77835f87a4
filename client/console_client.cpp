// ConsoleClient: REQ sockets, bounded waits, and the console codec at both ends.
#include "client/console_client.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>

namespace bank {

namespace {
constexpr std::chrono::milliseconds kSlice{100};

Error no_answer(std::chrono::milliseconds timeout) {
  return make_error(ConsoleClient::kNoAnswer, "no reply within " + std::to_string(timeout.count()) + " ms");
}

// Each monitor needs an inproc address of its own on the shared context.
std::string monitor_address() {
  static std::atomic<unsigned long> next{0};
  return "inproc://console-client-monitor-" + std::to_string(next++);
}
}  // namespace

ConsoleClient::ConsoleClient(zmq::context_t& ctx, const std::string& host, std::uint16_t console,
                             std::optional<ConsoleKeys> keys)
    : ctx_(ctx), endpoint_("tcp://" + host + ":" + std::to_string(console)), keys_(std::move(keys)) {}

Result<std::optional<ConsoleKeys>> ConsoleClient::keys_for(const ClusterConfig& config, NodeId node,
                                                           const std::optional<std::filesystem::path>& client_secret) {
  if (!config.security) return std::optional<ConsoleKeys>{};
  KeyFiles files(config.keys_dir);
  auto client = KeyFiles::client_secret(client_secret.value_or(files.client_secret_path(node)));
  if (!client) return client.error();
  auto server = files.node_curve(node);
  if (!server) return server.error();
  return std::optional<ConsoleKeys>{ConsoleKeys{client->curve, *server}};
}

Result<ConsoleReply> ConsoleClient::ask(const ConsoleRequest& request, std::chrono::milliseconds timeout) {
  abandon();
  send(request);
  auto reply = wait_reply(timeout);
  if (!reply) return reply.error();
  auto asked = std::move(*awaiting_);
  awaiting_.reset();
  return decode_console_reply(reply->to_string_view(), asked);
}

std::optional<std::string> ConsoleClient::ask_raw(std::string_view bytes, std::chrono::milliseconds timeout) {
  auto reply = exchange(bytes, timeout);
  if (!reply) return std::nullopt;
  return std::move(*reply);
}

Result<std::string> ConsoleClient::exchange(std::string_view bytes, std::chrono::milliseconds timeout) {
  abandon();
  send_bytes(bytes);
  auto reply = wait_reply(timeout);
  if (!reply) return reply.error();
  return reply->to_string();
}

void ConsoleClient::send(const ConsoleRequest& request) {
  send_bytes(console_request_to_json(request).dump());
  awaiting_ = request;
}

void ConsoleClient::connect() {
  if (socket_) return;
  socket_.emplace(ctx_, zmq::socket_type::req);
  socket_->set(zmq::sockopt::linger, 0);
  if (keys_) {
    socket_->set(zmq::sockopt::curve_serverkey, zmq::const_buffer(keys_->server.data(), keys_->server.size()));
    socket_->set(zmq::sockopt::curve_publickey, keys_->client.public_z85());
    socket_->set(zmq::sockopt::curve_secretkey, keys_->client.secret_z85());
  }
  // The monitor is in place before the connect, so that no CONNECTED event is missed.
  connected_ = false;
  if (fail_fast_) {
    const std::string address = monitor_address();
    if (zmq_socket_monitor(socket_->handle(), address.c_str(), ZMQ_EVENT_CONNECTED) != 0) throw zmq::error_t();
    monitor_.emplace(ctx_, zmq::socket_type::pair);
    monitor_->set(zmq::sockopt::linger, 0);
    monitor_->connect(address);
  }
  connecting_since_ = std::chrono::steady_clock::now();
  socket_->connect(endpoint_);
}

bool ConsoleClient::connected() {
  if (!monitor_) return true;
  zmq::message_t event;
  // An event is two frames: event id and value, then the endpoint.
  while (!connected_ && monitor_->recv(event, zmq::recv_flags::dontwait)) {
    std::uint16_t id = 0;
    if (event.size() >= sizeof id) std::memcpy(&id, event.data(), sizeof id);
    if (id == ZMQ_EVENT_CONNECTED) connected_ = true;
    if (event.more()) (void)monitor_->recv(event, zmq::recv_flags::dontwait);
  }
  return connected_;
}

void ConsoleClient::send_bytes(std::string_view bytes) {
  connect();
  socket_->send(zmq::buffer(bytes), zmq::send_flags::none);  // REQ queues it; never blocks here
}

int ConsoleClient::descriptor() { return socket_ ? socket_->get(zmq::sockopt::fd) : -1; }

bool ConsoleClient::reply_ready() {
  return socket_ && awaiting_ && (socket_->get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
}

std::optional<Result<ConsoleReply>> ConsoleClient::receive() {
  if (!socket_ || !awaiting_) return std::nullopt;
  zmq::message_t reply;
  if (!socket_->recv(reply, zmq::recv_flags::dontwait)) return std::nullopt;
  auto decoded = decode_console_reply(reply.to_string_view(), *awaiting_);
  awaiting_.reset();
  return decoded;
}

// The old socket (a reply may still be on its way to it) is closed without lingering; its
// monitor after it.
void ConsoleClient::abandon() {
  socket_.reset();
  monitor_.reset();
  awaiting_.reset();
}

Result<zmq::message_t> ConsoleClient::wait_reply(std::chrono::milliseconds timeout) {
  const auto now = std::chrono::steady_clock::now();
  const auto deadline = now + timeout;
  const auto connect_by = fail_fast_ ? std::min(connecting_since_ + *fail_fast_, deadline) : deadline;
  zmq::pollitem_t items[2] = {{socket_->handle(), 0, ZMQ_POLLIN, 0},
                              {monitor_ ? monitor_->handle() : nullptr, -1, ZMQ_POLLIN, 0}};
  const int polled = monitor_ ? 2 : 1;
  bool given_up = false;  // nothing connected in time
  // Short slices so a stop is seen; a signal makes zmq_poll fail with EINTR.
  while (!(items[0].revents & ZMQ_POLLIN) && !stopped()) {
    const auto t = std::chrono::steady_clock::now();
    if (!connected() && t >= connect_by) {
      given_up = true;
      break;
    }
    // Rounded up: a wait cut to 0 ms short of connect_by would end it as a silent node.
    auto left = std::chrono::ceil<std::chrono::milliseconds>((connected_ ? deadline : connect_by) - t);
    if (left.count() <= 0) break;
    try {
      zmq::poll(items, polled, std::min(left, kSlice));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
  }
  zmq::message_t m;
  if ((items[0].revents & ZMQ_POLLIN) && socket_->recv(m, zmq::recv_flags::dontwait)) return m;
  abandon();
  if (stopped()) return make_error(kStopped, "stopped before the reply came");
  if (given_up)
    return make_error(kNotListening, "nothing accepted a connection at " + endpoint_ + " within " +
                                         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                            connect_by - connecting_since_)
                                                            .count()) +
                                         " ms");
  return no_answer(timeout);
}

}  // namespace bank
