// BankShell: the bank actor's shell. Owns the console socket: a ROUTER on the console
// port speaking docs/console-protocol.md to REQ clients. Each request goes to BankCore with
// a client number, as ConsoleIn, or as ConsoleUnreadable when it does not decode (the core
// answers it `rejected`), and replies (from the bank, or straight from the ledger or the
// network for chain/verify/status/metrics) go back to the client they belong to. With security on the ROUTER is a CURVE server in the ZAP domain
// "console": only clients whose keys the node knows connect, and each request goes to the
// core with the account whose client key sent it (BankCore decides what it may do).
// Connections refused in the ZeroMQ handshake, before ZAP is asked (a plain client at a CURVE
// console, junk), are logged by a HandshakeWatch.
// The event feed and the log are the shell's side of the node, not the core's: it answers
// `events` from the feed, and adds the log's bytes to a metrics reply on its way out.
#pragma once

#include <map>

#include "actors/bank/bank_core.hpp"
#include "runtime/actor_shell.hpp"
#include "runtime/event_feed.hpp"
#include "runtime/handshake_watch.hpp"
#include "runtime/log_sink.hpp"
#include "config/cluster_config.hpp"
#include "security/key_files.hpp"

namespace bank {

class BankShell : public ActorShell {
 public:
  // Acquire timeouts are checked this often.
  static constexpr std::int64_t kTickMs = 10;
  // Console requests read per wake-up at most, so the other actors are served under load.
  static constexpr int kRequestsPerWake = 256;
  // An unauthenticated console connection gets this long to finish its ZeroMQ handshake.
  static constexpr int kHandshakeMs = 5000;

  // Binds the console port now, so a port in use fails before any thread starts.
  // `secret` turns CURVE on; nullptr: security off. `feed` and `log` outlive the shell.
  BankShell(zmq::context_t& ctx, const NodeConfig& me, BankCore core, const NodeSecret* secret, const EventFeed& feed,
            const LogSink& log);

 protected:
  void step(const BusMessage& in, Outbox& out) override;
  void set_now_us(std::int64_t now_us) override { core_.set_now_us(now_us); }
  void deliver(Addressed& a) override;
  std::vector<zmq::pollitem_t> extra_items() override;
  void on_ready(const std::vector<zmq::pollitem_t>& items) override;
  void on_stop() override;

 private:
  void reply(const std::string& identity, const ConsoleReply& r);

  BankCore core_;
  const EventFeed& feed_;
  const LogSink& log_;
  zmq::socket_t console_;
  HandshakeWatch handshakes_;  // of console_
  bool secure_ = false;
  std::map<std::uint64_t, std::string> clients_;  // client number -> REQ identity
  std::uint64_t next_client_ = 1;
};

}  // namespace bank
