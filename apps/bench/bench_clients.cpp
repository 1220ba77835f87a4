// BenchClients: the closed loop. Each client has one transfer in flight at a time: send,
// wait for the reply, record the latency, send the next. One thread polls all sockets.
#include "apps/bench/bench_clients.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <system_error>

#include "apps/bench/grouped.hpp"
#include "apps/bench/stop_signal.hpp"

namespace bank::bench {

namespace {
using std::chrono::milliseconds;

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}
}  // namespace

BenchClients::BenchClients(zmq::context_t& ctx, LoadOptions options)
    : options_(std::move(options)), rng_(options_.seed), tty_(::isatty(STDERR_FILENO) != 0) {
  auto nodes = options_.consoles.size();
  clients_.reserve(static_cast<std::size_t>(options_.clients));
  for (std::size_t k = 0; k < static_cast<std::size_t>(options_.clients); ++k)
    clients_.push_back(Client{.node = static_cast<int>(k % nodes) + 1,
                              .console = ConsoleClient(ctx, "127.0.0.1", options_.consoles[k % nodes], options_.keys[k % nodes]),
                              .sent_at = {}});
  for (Client& c : clients_) c.console.connect();
  items_.resize(clients_.size());
}

// To a random other node (with one node there is none: it pays itself and is rejected);
// 1..100 cents.
void BenchClients::send_transfer(Client& c) {
  int nodes = static_cast<int>(options_.consoles.size());
  int to = c.node;
  if (nodes > 1) {
    to = std::uniform_int_distribution<int>(1, nodes - 1)(rng_);
    if (to >= c.node) ++to;
  }
  auto amount = std::uniform_int_distribution<int>(1, 100)(rng_);
  c.sent_at = Clock::now();
  c.console.send(TransferCmd{.to = static_cast<NodeId>(to), .amount = amount, .txid = std::nullopt});
  c.look = true;
  ++r_.sent;
  ++in_flight_;
}

LoadResult BenchClients::run() {
  start_load();
  for (;;) {
    auto round = next_round();
    if (round == Round::done) break;
    if (round == Round::interrupted) {
      r_.interrupted = true;
      break;
    }
    if (!poll(Clock::now())) continue;  // a signal: the next round looks at it
    auto now = Clock::now();
    for (std::size_t i = 0; i < clients_.size(); ++i) serve(clients_[i], items_[i], now);
    show_progress(now);
  }
  finish();
  return r_;
}

void BenchClients::start_load() {
  cpu_at_start_ = own_cpu_seconds();
  start_ = Clock::now();
  load_end_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.seconds));
  stopped_at_ = load_end_;
  last_reply_ = start_;
  next_progress_ = start_ + std::chrono::seconds(1);
  progress_t_ = start_;
  for (auto& c : clients_) send_transfer(c);
}

// Notes the end of the load when it comes; done once the replies still awaited are in (or
// their bound passed).
BenchClients::Round BenchClients::next_round() {
  if (StopSignal::requested()) return Round::interrupted;
  auto now = Clock::now();
  if (!stopping_ && now >= load_end_) {
    stopping_ = true;
    stopped_at_ = now;
    r_.in_flight_at_stop = in_flight_;
  }
  if (stopping_ && (in_flight_ == 0 || now >= stopped_at_ + options_.reply_timeout)) return Round::done;
  return Round::go_on;
}

// zmq_poll would read ZMQ_EVENTS of all the clients, twice per wait: two system calls each,
// twice as many as this loop makes per transfer. Instead the sockets' descriptors
// are polled directly, and only a client whose descriptor fired, or whose socket was used
// since, is asked whether its reply is there (ZeroMQ's descriptors are edge-triggered: a send
// or receive may take in the news a later wait would otherwise have needed).
bool BenchClients::poll(Clock::time_point now) {
  for (auto& item : items_) item.revents = 0;
  if (look_at_clients()) return true;
  auto wake = std::min(next_progress_, stopping_ ? stopped_at_ + options_.reply_timeout : load_end_);
  auto wait = std::clamp(std::chrono::duration_cast<milliseconds>(wake - now), milliseconds(0), milliseconds(100));
  fds_.clear();
  fd_client_.clear();
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (!clients_[i].console.awaiting()) continue;
    fds_.push_back({.fd = clients_[i].console.descriptor(), .events = POLLIN, .revents = 0});
    fd_client_.push_back(i);
  }
  if (::poll(fds_.data(), fds_.size(), static_cast<int>(wait.count())) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
    return false;
  }
  for (std::size_t k = 0; k < fds_.size(); ++k)
    if (fds_[k].revents != 0) clients_[fd_client_[k]].look = true;
  look_at_clients();
  return true;
}

bool BenchClients::look_at_clients() {
  bool any = false;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    Client& c = clients_[i];
    if (!c.look) continue;
    c.look = false;
    if (c.console.reply_ready()) {
      items_[i].revents = ZMQ_POLLIN;
      any = true;
    }
  }
  return any;
}

// Takes a reply that came, or gives up on one that is overdue; then sends the next transfer
// while the load runs.
void BenchClients::serve(Client& c, const zmq::pollitem_t& item, Clock::time_point now) {
  if (c.console.awaiting() && (item.revents & ZMQ_POLLIN)) {
    c.look = true;
    auto reply = c.console.receive();
    if (!reply) return;
    --in_flight_;
    last_reply_ = now;
    r_.latencies_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(now - c.sent_at).count());
    record(*reply);
  } else if (c.console.awaiting() && now - c.sent_at > options_.reply_timeout) {
    ++r_.unanswered;
    fail("no reply", "no reply within " + std::to_string(options_.reply_timeout.count() / 1000) + " s");
    --in_flight_;
    c.console.abandon();
  }
  if (!c.console.awaiting() && !stopping_) send_transfer(c);
}

// A transfer's reply is a commit or a refusal. (Whether a commit is really in the chain is
// for the consistency check.)
void BenchClients::record(const Result<ConsoleReply>& reply) {
  if (!reply) return fail("unparsable reply", reply.error().message);
  const auto* refusal = std::get_if<FailureReply>(&*reply);
  if (!refusal)
    ++r_.committed;
  else if (refusal->status == "aborted")
    ++r_.aborted;
  else
    fail(refusal->status, refusal->error);
}

void BenchClients::fail(const std::string& reason, const std::string& error) {
  ++r_.failed;
  ++r_.failed_by[reason];
  if (!error.empty()) r_.first_error.emplace(reason, error);
}

void BenchClients::show_progress(Clock::time_point now) {
  if (now < next_progress_) return;
  double rate = static_cast<double>(r_.committed - progress_committed_) / seconds_between(progress_t_, now);
  progress(std::min(seconds_between(start_, now), options_.seconds), r_.committed, rate, stopping_ ? in_flight_ : 0);
  progress_shown_ = true;
  progress_t_ = now;
  progress_committed_ = r_.committed;
  next_progress_ += std::chrono::seconds(1);
}

// `waiting`: after the load stopped, the replies still awaited (0 while it runs).
void BenchClients::progress(double elapsed_s, long long committed, double rate, long long waiting) const {
  std::string tail = waiting > 0 ? "waiting for " + grouped(waiting) + " replies"
                                 : grouped(static_cast<long long>(rate + 0.5)) + "/s";
  std::fprintf(stderr, "%sbank-bench: %.0f/%g s  %s committed  %-28s%s", tty_ ? "\r" : "", elapsed_s, options_.seconds,
               grouped(committed).c_str(), tail.c_str(), tty_ ? "" : "\n");
  std::fflush(stderr);
}

void BenchClients::finish() {
  // Whatever is still in flight got no reply within the bound (or the run was interrupted).
  if (!r_.interrupted && in_flight_ > 0) {
    r_.unanswered += in_flight_;
    r_.failed += in_flight_;
    r_.failed_by["no reply"] += in_flight_;
    r_.first_error.emplace("no reply", "still unanswered " + std::to_string(options_.reply_timeout.count() / 1000) +
                                           " s after the load stopped");
  }
  // The window runs from the first send to the last reply of the transfers still in flight
  // when the load stopped (at least to the stop itself): every committed transfer counted
  // was sent and answered inside it.
  auto window_end = r_.interrupted ? Clock::now() : std::max(stopped_at_, last_reply_);
  r_.window_s = seconds_between(start_, window_end);
  r_.own_cpu_s = own_cpu_seconds() - cpu_at_start_;
  if (tty_ && progress_shown_) std::fprintf(stderr, "\n");
}

}  // namespace bank::bench
