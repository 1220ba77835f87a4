// ZapHandler: answers ZAP requests from the node's CURVE sockets.
#include "runtime/zap_handler.hpp"

#include <array>
#include <chrono>
#include <iterator>
#include <vector>

#include <zmq_addon.hpp>

#include "runtime/steady_ms.hpp"

namespace bank {

ZapHandler::ZapHandler(zmq::context_t& ctx, std::shared_ptr<const KeyRing> keys, LogSink& log)
    : keys_(std::move(keys)), log_(log), socket_(ctx, zmq::socket_type::rep) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind("inproc://zeromq.zap.01");
  thread_ = std::thread([this] { run(); });
}

ZapHandler::~ZapHandler() {
  stop_ = true;
  thread_.join();
}

void ZapHandler::run() {
  while (!stop_) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(kPollMs)) > 0) answer();
      log(refused_.due(steady_ms()));  // what came after the last line, once its second is up
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) return;
      throw;
    }
  }
}

// A request: version, request id, domain, address, routing id, mechanism, credentials.
// The reply: version, request id, status code and text, user id, metadata.
void ZapHandler::answer() {
  std::vector<zmq::message_t> req;
  if (!zmq::recv_multipart(socket_, std::back_inserter(req), zmq::recv_flags::dontwait)) return;
  std::optional<Principal> who;
  std::string domain, address;
  if (req.size() == 7 && req[0].to_string_view() == "1.0" && req[5].to_string_view() == "CURVE") {
    domain = req[2].to_string();
    address = req[3].to_string();
    who = keys_->admit(domain, req[6].to_string_view());
  }
  const std::string version = "1.0";
  const std::string request_id = req.size() > 1 ? req[1].to_string() : "";
  const std::string code = who ? "200" : "400";
  const std::string text = who ? "OK" : "unknown key";
  const std::string user = who ? who->user_id() : "";
  std::array<zmq::const_buffer, 6> reply{zmq::buffer(version), zmq::buffer(request_id), zmq::buffer(code),
                                         zmq::buffer(text),    zmq::buffer(user),       zmq::const_buffer()};
  zmq::send_multipart(socket_, reply);
  if (who) return;
  // Refusals are logged at most once a second, with how many there were: a stranger
  // hammering the port must not fill the disk.
  log(refused_.add(steady_ms(), (domain.empty() ? "not a CURVE handshake" : domain + " port") +
                                    (address.empty() ? "" : ", from " + address)));
}

void ZapHandler::log(const std::optional<RefusalCounter::Line>& line) {
  if (!line) return;
  log_.write(LogOut{"error", 0,
                    {{"error", "refused " + std::to_string(line->count) +
                                   " connection(s) with a key this node does not know (latest: " + line->latest + ")"}}});
  log_.flush();
}

}  // namespace bank
