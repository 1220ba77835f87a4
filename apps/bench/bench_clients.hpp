// BenchClients: C closed-loop transfer clients, all driven from one thread by zmq::poll over
// their REQ sockets (the nodes need the cores more than the clients do).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <zmq.hpp>

namespace bank::bench {

struct LoadOptions {
  int clients = 32;
  double seconds = 10;
  std::vector<std::uint16_t> consoles;  // consoles[i] is node i+1's console port
  std::uint64_t seed = 0;
  // A transfer without a reply by then counts as failed (and unanswered); the client then
  // opens a new REQ socket. Also the bound on waiting for the replies in flight at the end.
  std::chrono::milliseconds reply_timeout{15000};
};

struct LoadResult {
  long long sent = 0;
  long long committed = 0;   // ok:true
  long long aborted = 0;     // status aborted (funds)
  long long failed = 0;      // anything else, including unanswered
  long long unanswered = 0;  // no reply within reply_timeout (part of failed): may still commit
  long long in_flight_at_stop = 0;
  std::map<std::string, long long> failed_by;  // "timeout", "rejected", "no reply", ...
  std::map<std::string, std::string> first_error;  // reason -> the first error sentence seen
  std::vector<std::int64_t> latencies_us;          // every transfer that got a reply
  double window_s = 0;
  double own_cpu_s = 0;  // this process (clients and ZeroMQ I/O threads) during the load
  bool interrupted = false;
};

class BenchClients {
 public:
  BenchClients(zmq::context_t& ctx, LoadOptions options);
  // Runs the load for options.seconds, then waits (bounded) for the replies still in flight.
  LoadResult run();

 private:
  struct Client {
    int node = 0;  // 1-based
    zmq::socket_t socket;
    bool in_flight = false;
    std::chrono::steady_clock::time_point sent_at;
  };

  void open(Client& c);
  void send_transfer(Client& c);
  void progress(double elapsed_s, long long committed, double rate, long long waiting) const;

  zmq::context_t& ctx_;
  LoadOptions options_;
  std::vector<Client> clients_;
  std::mt19937_64 rng_;
  bool tty_ = false;
};

}  // namespace bank::bench
