// ConsoleClient: REQ sockets, bounded waits, and the console codec at both ends.
#include "client/console_client.hpp"

#include <algorithm>
#include <cerrno>

namespace bank {

namespace {
constexpr std::chrono::milliseconds kSlice{100};

Error no_answer(std::chrono::milliseconds timeout) {
  return make_error(ConsoleClient::kNoAnswer, "no reply within " + std::to_string(timeout.count()) + " ms");
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
  if (!reply) return stopped() ? make_error(kStopped, "stopped before the reply came") : no_answer(timeout);
  auto asked = std::move(*awaiting_);
  awaiting_.reset();
  return decode_console_reply(reply->to_string_view(), asked);
}

std::optional<std::string> ConsoleClient::ask_raw(std::string_view bytes, std::chrono::milliseconds timeout) {
  abandon();
  send_bytes(bytes);
  auto reply = wait_reply(timeout);
  if (!reply) return std::nullopt;
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
  socket_->connect(endpoint_);
}

void ConsoleClient::send_bytes(std::string_view bytes) {
  connect();
  socket_->send(zmq::buffer(bytes), zmq::send_flags::none);  // REQ queues it; never blocks here
}

zmq::pollitem_t ConsoleClient::poll_item() {
  if (!socket_) return {nullptr, -1, 0, 0};  // poll skips it
  return {socket_->handle(), 0, static_cast<short>(awaiting_ ? ZMQ_POLLIN : 0), 0};
}

std::optional<Result<ConsoleReply>> ConsoleClient::receive() {
  if (!socket_ || !awaiting_) return std::nullopt;
  zmq::message_t reply;
  if (!socket_->recv(reply, zmq::recv_flags::dontwait)) return std::nullopt;
  auto decoded = decode_console_reply(reply.to_string_view(), *awaiting_);
  awaiting_.reset();
  return decoded;
}

// The old socket (a reply may still be on its way to it) is closed without lingering.
void ConsoleClient::abandon() {
  socket_.reset();
  awaiting_.reset();
}

std::optional<zmq::message_t> ConsoleClient::wait_reply(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
  // Short slices so a stop is seen; a signal makes zmq_poll fail with EINTR.
  while (!(item.revents & ZMQ_POLLIN) && !stopped()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    try {
      zmq::poll(&item, 1, std::min(left, kSlice));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
  }
  zmq::message_t m;
  if (!(item.revents & ZMQ_POLLIN) || !socket_->recv(m, zmq::recv_flags::dontwait)) {
    abandon();
    return std::nullopt;
  }
  return m;
}

}  // namespace bank
