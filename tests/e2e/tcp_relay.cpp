// TcpRelay: accept, connect, copy both ways with poll(); close everything on cut().
#include "tcp_relay.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

namespace bank::e2e {

namespace {
sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  return a;
}
}  // namespace

TcpRelay::TcpRelay(int listen_port, int target_port) : target_port_(target_port) {
  // Close-on-exec, here and below: a node started later must not inherit the relay's sockets
  // (an inherited listening socket keeps the port open after the relay is gone).
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto a = loopback(listen_port);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("relay cannot listen on port " + std::to_string(listen_port));
  thread_ = std::thread([this] { run(); });
}

TcpRelay::~TcpRelay() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

void TcpRelay::run() {
  struct Pair {
    int a, b;
  };
  std::vector<Pair> pairs;
  auto close_all = [&] {
    for (auto& p : pairs) {
      ::close(p.a);
      ::close(p.b);
    }
    pairs.clear();
  };
  int cuts_seen = 0;
  while (!stop_) {
    if (cuts_requested_ != cuts_seen) {
      cuts_seen = cuts_requested_;
      close_all();
      ++cuts_done_;
    }
    // Only the pairs polled now are read below: a pair accepted in this round has no entry in
    // `fds` (reading past it once cross-wired two streams and broke a peer's handshake for good).
    const std::size_t polled = pairs.size();
    std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
    for (auto& p : pairs) {
      fds.push_back({p.a, POLLIN, 0});
      fds.push_back({p.b, POLLIN, 0});
    }
    ::poll(fds.data(), fds.size(), 10);
    if (fds[0].revents & POLLIN) {
      int in = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      int out = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      auto t = loopback(target_port_);
      if (in >= 0 && ::connect(out, reinterpret_cast<sockaddr*>(&t), sizeof t) == 0) {
        int one = 1;
        ::setsockopt(in, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::setsockopt(out, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pairs.push_back({in, out});
      } else {
        if (in >= 0) ::close(in);
        ::close(out);
      }
    }
    std::vector<std::size_t> dead;
    for (std::size_t i = 0; i < polled; ++i) {
      for (int side = 0; side < 2; ++side) {
        const pollfd& f = fds[1 + 2 * i + side];
        if (!(f.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buf[16384];
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        int to = side == 0 ? pairs[i].b : pairs[i].a;
        if (n <= 0 || ::write(to, buf, n) != n) {
          dead.push_back(i);
          break;
        }
        bytes_ += n;
      }
    }
    for (auto it = dead.rbegin(); it != dead.rend(); ++it) {
      ::close(pairs[*it].a);
      ::close(pairs[*it].b);
      pairs.erase(pairs.begin() + static_cast<long>(*it));
    }
  }
  close_all();
}

}  // namespace bank::e2e
