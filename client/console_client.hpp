// ConsoleClient: one node's console over a ZeroMQ REQ socket: typed requests out through the
// console codec, typed replies back, and a clear failure when no answer comes in time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "messages/console_message.hpp"
#include "messages/result.hpp"
#include "security/key_files.hpp"

namespace bank {

// What a client needs to talk CURVE to a console: its own key pair and the node's public key.
struct ConsoleKeys {
  CurvePair client;
  KeyRing::CurveKey server{};
};

class ConsoleClient {
 public:
  // Why an ask got no reply: nothing came within the timeout, `stop_when` said to stop, or
  // (with fail_fast) nothing accepted a connection at the endpoint in time. A reply that came
  // but does not decode is the codec's error (codec.*).
  static constexpr const char* kNoAnswer = "client.no_answer";
  static constexpr const char* kStopped = "client.stopped";
  static constexpr const char* kNotListening = "client.not_listening";

  // Talks to tcp://host:console on `ctx`, over CURVE with `keys` (none: security off);
  // nothing connects before the first request. A node that does not know the key never
  // answers: the ask then ends as no_answer.
  ConsoleClient(zmq::context_t& ctx, const std::string& host, std::uint16_t console,
                std::optional<ConsoleKeys> keys = std::nullopt);
  // The keys to reach node `node` of `config` as the holder of `client_secret` (by default
  // the owner key of that node's account, keys_dir/client-N.secret); nullopt with security
  // off. keys.* errors name the file.
  static Result<std::optional<ConsoleKeys>> keys_for(const ClusterConfig& config, NodeId node,
                                                     const std::optional<std::filesystem::path>& client_secret);

  // Waits give up early once `stop` returns true (checked at least every 100 ms and after a
  // signal interrupts the wait).
  void stop_when(std::function<bool()> stop) { stop_ = std::move(stop); }
  // An ask ends with kNotListening when no TCP connection to the node is made within
  // `within` (or its timeout, if shorter). ZeroMQ connects lazily and retries for ever, so
  // without this a port that nothing listens on costs the whole timeout; a node that
  // accepts the connection but answers slowly still gets all of it. Watched through a
  // socket monitor (its CONNECTED event).
  void fail_fast(std::chrono::milliseconds within) { fail_fast_ = within; }

  // One request, one reply, on a fresh socket (so a lost reply never wedges the next ask):
  // the reply decoded as the answer to `request`, or an error.
  Result<ConsoleReply> ask(const ConsoleRequest& request, std::chrono::milliseconds timeout);
  // The same with bytes as they are (for bad input) and the reply's bytes; nullopt when no
  // reply came in time.
  std::optional<std::string> ask_raw(std::string_view bytes, std::chrono::milliseconds timeout);
  // The same, saying why no reply came (the errors above).
  Result<std::string> exchange(std::string_view bytes, std::chrono::milliseconds timeout);

  // Many clients on one poll: send() queues a request (never blocks), descriptor() is what
  // to poll, reply_ready() says whether the reply is there, receive() takes it, abandon()
  // gives up on it and opens a fresh socket for the next send.
  void send(const ConsoleRequest& request);
  // Opens the socket now rather than at the first send (the bench connects its clients
  // before it starts the clock).
  void connect();
  bool awaiting() const { return awaiting_.has_value(); }
  // The socket's ZMQ_FD (-1 without a socket): it wakes a poll when something may have
  // changed (edge-triggered). Whether the reply is there is a ZMQ_EVENTS check, which a send
  // or receive on the socket makes necessary again before the next wait.
  int descriptor();
  bool reply_ready();
  // The reply to the request sent, decoded; nullopt when it is not there yet.
  std::optional<Result<ConsoleReply>> receive();
  void abandon();

  const std::string& endpoint() const { return endpoint_; }

 private:
  void send_bytes(std::string_view bytes);
  // Waits up to `timeout` for the reply; the reason (and the socket closed) when none came.
  Result<zmq::message_t> wait_reply(std::chrono::milliseconds timeout);
  // Reads the monitor's events; true once the socket has connected.
  bool connected();
  bool stopped() const { return stop_ && stop_(); }

  zmq::context_t& ctx_;
  std::string endpoint_;
  std::optional<ConsoleKeys> keys_;
  std::optional<zmq::socket_t> socket_;
  std::optional<std::chrono::milliseconds> fail_fast_;
  std::optional<zmq::socket_t> monitor_;  // the socket's CONNECTED events (fail_fast only)
  bool connected_ = false;
  std::chrono::steady_clock::time_point connecting_since_{};
  std::optional<ConsoleRequest> awaiting_;  // what the reply on its way answers
  std::function<bool()> stop_;
};

}  // namespace bank
