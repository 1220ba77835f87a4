// TcpRelay: a small fault-injecting TCP forwarder for the end-to-end tests. It listens on
// one loopback port and forwards each connection to another; cut() breaks every connection
// it carries at once, mid-stream, as a pulled cable does. Runs its own thread, bounded.
#pragma once

#include <atomic>
#include <thread>

namespace bank::e2e {

class TcpRelay {
 public:
  TcpRelay(int listen_port, int target_port);
  ~TcpRelay();
  void cut() { cuts_requested_++; }
  int cuts_done() const { return cuts_done_; }
  long bytes() const { return bytes_; }

 private:
  void run();
  int listen_fd_ = -1;
  int target_port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_requested_{0};
  std::atomic<int> cuts_done_{0};
  std::atomic<long> bytes_{0};
  std::thread thread_;
};

}  // namespace bank::e2e
