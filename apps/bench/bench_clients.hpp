// BenchClients: C closed-loop transfer clients, all driven from one thread by zmq::poll over
// their REQ sockets (the nodes need the cores more than the clients do).
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "client/console_client.hpp"

namespace bank::bench {

struct LoadOptions {
  int clients = 32;
  double seconds = 10;
  std::vector<std::uint16_t> consoles;  // consoles[i] is node i+1's console port
  std::vector<std::optional<ConsoleKeys>> keys;  // keys[i]: node i+1's owner keys (none: security off)
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
  using Clock = std::chrono::steady_clock;

  struct Client {
    int node = 0;  // 1-based
    ConsoleClient console;
    Clock::time_point sent_at;
    bool look = true;  // its socket was used or its descriptor fired since ZMQ_EVENTS was read
  };

  // What a round of the loop sees once it wakes.
  enum class Round { go_on, interrupted, done };

  void start_load();
  Round next_round();
  // Waits for replies, at most until the next thing to do; items_[i].revents says whose came.
  bool poll(Clock::time_point now);
  // Marks the clients whose reply is there; true when one is.
  bool look_at_clients();
  void serve(Client& c, const zmq::pollitem_t& item, Clock::time_point now);
  void record(const Result<ConsoleReply>& reply);
  void fail(const std::string& reason, const std::string& error);
  void send_transfer(Client& c);
  void show_progress(Clock::time_point now);
  void finish();
  void progress(double elapsed_s, long long committed, double rate, long long waiting) const;

  LoadOptions options_;
  std::vector<Client> clients_;
  std::vector<zmq::pollitem_t> items_;
  std::vector<pollfd> fds_;
  std::vector<std::size_t> fd_client_;  // the client of each of fds_
  std::mt19937_64 rng_;
  bool tty_ = false;

  // The run's state.
  LoadResult r_;
  double cpu_at_start_ = 0;
  Clock::time_point start_, load_end_, stopped_at_, last_reply_;
  bool stopping_ = false;
  long long in_flight_ = 0;
  Clock::time_point next_progress_, progress_t_;
  long long progress_committed_ = 0;
  bool progress_shown_ = false;
};

}  // namespace bank::bench
