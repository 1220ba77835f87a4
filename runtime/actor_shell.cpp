// ActorShell: what every shell shares; the hosting thread does the rest.
#include "runtime/actor_shell.hpp"

#include <stdexcept>

namespace bank {

void ActorShell::bind_or_explain(zmq::socket_t& socket, const std::string& endpoint, const std::string& role) {
  try {
    socket.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot listen on " + endpoint + " (" + role + "): " + e.what());
  }
}

void ActorShell::feed(const BusMessage& in) { host_->feed(*this, in); }

void ActorShell::write_log(const LogOut& e) { host_->write_log(e); }

}  // namespace bank
