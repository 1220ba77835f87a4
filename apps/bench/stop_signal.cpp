// StopSignal: a signal handler that only sets a flag; the loops poll it between short waits.
#include "apps/bench/stop_signal.hpp"

#include <csignal>

namespace bank::bench {

namespace {
volatile std::sig_atomic_t stop_requested = 0;
extern "C" void on_stop_signal(int) { stop_requested = 1; }
}  // namespace

void StopSignal::install() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool StopSignal::requested() { return stop_requested != 0; }

}  // namespace bank::bench
