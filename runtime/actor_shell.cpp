// ActorShell: what every shell shares; the hosting thread does the rest.
#include "runtime/actor_shell.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <stdexcept>

namespace bank {

void ActorShell::bind_or_explain(zmq::socket_t& socket, const std::string& endpoint, const std::string& role) {
  try {
    socket.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot listen on " + endpoint + " (" + role + "): " + e.what());
  }
}

void ActorShell::check_port_free(const std::string& host, int port, const std::string& role) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) return;
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int error = 0;
  if (fd >= 0) {
    int on = 1;  // as libzmq's listener: a port in TIME_WAIT is free
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0) error = errno;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (error == EADDRINUSE || error == EACCES)
    throw std::runtime_error("cannot listen on tcp://" + host + ":" + std::to_string(port) + " (" + role +
                             "): " + std::strerror(error));
}

void ActorShell::feed(const BusMessage& in) { host_->feed(*this, in); }

void ActorShell::write_log(const LogOut& e) { host_->write_log(e); }

}  // namespace bank
