// BankShell: the console socket around BankCore.
#include "actors/bank/bank_shell.hpp"

#include <algorithm>
#include <array>
#include <iterator>

#include <zmq_addon.hpp>

#include "runtime/steady_ms.hpp"

namespace bank {

BankShell::BankShell(zmq::context_t& ctx, const NodeConfig& me, BankCore core, const NodeSecret* secret,
                     const EventFeed& feed, const LogSink& log)
    : ActorShell(ctx, Actor::bank, kTickMs),
      core_(std::move(core)),
      feed_(feed),
      log_(log),
      console_(ctx, zmq::socket_type::router),
      handshakes_(ctx, console_, "console port"),
      secure_(secret != nullptr) {
  console_.set(zmq::sockopt::linger, 0);
  console_.set(zmq::sockopt::handshake_ivl, kHandshakeMs);
  if (secure_) {
    console_.set(zmq::sockopt::curve_server, 1);
    console_.set(zmq::sockopt::curve_secretkey, secret->curve.secret_z85());
    console_.set(zmq::sockopt::zap_domain, std::string(KeyRing::kConsoleDomain));
  }
  console_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(4 * max_console_frame));
  bind_or_explain(console_, "tcp://" + me.host + ":" + std::to_string(me.console), "console port");
}

// The core's tick is the shell's timer too: refused handshakes are read and counted on it.
void BankShell::step(const BusMessage& in, Outbox& out) {
  if (std::holds_alternative<Tick>(in))
    if (auto line = handshakes_.on_tick(steady_ms())) write_log(*line);
  core_.step(in, out);
}

// Refused handshakes that came since the last tick are logged before the node goes.
void BankShell::on_stop() {
  for (const LogOut& l : handshakes_.on_stop(steady_ms())) write_log(l);
}

void BankShell::reply(const std::string& identity, const ConsoleReply& r) {
  auto text = console_reply_text(r);
  std::array<zmq::const_buffer, 3> frames{zmq::buffer(identity), zmq::const_buffer(), zmq::buffer(text)};
  // ROUTER drops a reply to a client that has gone away; that is the client's loss alone.
  (void)zmq::send_multipart(console_, frames, zmq::send_flags::dontwait);
}

void BankShell::deliver(Addressed& a) {
  if (const auto* q = std::get_if<EventsQuery>(&a.msg)) {
    auto it = clients_.find(q->client);
    if (it == clients_.end()) return;
    reply(it->second, feed_.read(q->cmd.since, std::min(q->cmd.limit.value_or(max_events_page), max_events_page)));
    clients_.erase(it);
    return;
  }
  auto* c = std::get_if<ConsoleOut>(&a.msg);
  if (!c) return;
  auto it = clients_.find(c->client);
  if (it == clients_.end()) return;
  if (auto* m = std::get_if<MetricsReply>(&c->reply)) m->metrics.counters["log_bytes"] = log_.bytes_written();
  reply(it->second, c->reply);
  clients_.erase(it);
}

std::vector<zmq::pollitem_t> BankShell::extra_items() {
  return {{console_.handle(), 0, ZMQ_POLLIN, 0}};
}

void BankShell::on_ready(const std::vector<zmq::pollitem_t>& items) {
  if (!(items[0].revents & ZMQ_POLLIN)) return;
  for (int n = 0; n < kRequestsPerWake; ++n) {
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(console_, std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
    // A REQ client sends [identity, empty delimiter, request].
    if (parts.size() != 3 || parts[1].size() != 0) {
      write_log(LogOut{"error", 0, {{"error", "console message is not a REQ request; use a REQ socket"}}});
      continue;
    }
    std::string identity = parts[0].to_string();
    std::optional<NodeId> caller;
    if (secure_) {
      // Set by our ZAP handler for every admitted connection: "client-N".
      auto who = Principal::from_user_id(parts[2].gets("User-Id"));
      if (!who || who->kind != Principal::Kind::client) continue;
      caller = who->id;
    }
    auto request = decode_console_request(parts[2].to_string_view());
    std::uint64_t client = next_client_++;
    clients_[client] = identity;
    // The core answers what does not decode too: it counts every refusal.
    if (!request) {
      feed(ConsoleUnreadable{client, request.error().message});
      continue;
    }
    feed(ConsoleIn{client, std::move(*request), caller});
  }
}

}  // namespace bank
