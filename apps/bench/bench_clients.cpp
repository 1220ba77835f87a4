// BenchClients: the closed loop. Each client has one transfer in flight at a time: send,
// wait for the reply, record the latency, send the next. One thread polls all sockets.
#include "apps/bench/bench_clients.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "apps/bench/grouped.hpp"
#include "apps/bench/stop_signal.hpp"

namespace bank::bench {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// What a transfer reply means: "committed", "aborted", or the failure's status; `error` gets
// the node's sentence when there is one.
std::string outcome(std::string_view bytes, std::string& error) {
  // The common case without parsing the block it carries: the clients share the machine with
  // the nodes they measure. (Whether it was really committed is for the consistency check.)
  // The reply's keys are sorted, so a committed reply ends with "ok", "status", "txid".
  if (bytes.find(R"("ok":true,"status":"committed","txid":)") != std::string_view::npos) return "committed";
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "the reply is not a JSON object";
    return "unparsable reply";
  }
  auto ok = j.find("ok");
  if (ok != j.end() && ok->is_boolean() && ok->get<bool>()) return "committed";
  auto status = j.find("status");
  auto err = j.find("error");
  if (err != j.end() && err->is_string()) error = err->get<std::string>();
  if (status != j.end() && status->is_string()) return status->get<std::string>();
  return "reply without status";
}
}  // namespace

BenchClients::BenchClients(zmq::context_t& ctx, LoadOptions options)
    : ctx_(ctx), options_(std::move(options)), rng_(options_.seed), tty_(::isatty(STDERR_FILENO) != 0) {
  int nodes = static_cast<int>(options_.consoles.size());
  clients_.resize(static_cast<std::size_t>(options_.clients));
  for (std::size_t k = 0; k < clients_.size(); ++k) {
    clients_[k].node = static_cast<int>(k % static_cast<std::size_t>(nodes)) + 1;
    open(clients_[k]);
  }
}

// A fresh REQ socket; the old one (after a lost reply) is closed without lingering.
void BenchClients::open(Client& c) {
  c.socket = zmq::socket_t(ctx_, zmq::socket_type::req);
  c.socket.set(zmq::sockopt::linger, 0);
  c.socket.connect("tcp://127.0.0.1:" + std::to_string(options_.consoles[static_cast<std::size_t>(c.node - 1)]));
  c.in_flight = false;
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
  auto text = nlohmann::json{{"cmd", "transfer"}, {"to", to}, {"amount", amount}}.dump();
  c.sent_at = Clock::now();
  c.socket.send(zmq::buffer(text), zmq::send_flags::none);  // REQ queues it; never blocks here
  c.in_flight = true;
}

// `waiting`: after the load stopped, the replies still awaited (0 while it runs).
void BenchClients::progress(double elapsed_s, long long committed, double rate, long long waiting) const {
  std::string tail = waiting > 0 ? "waiting for " + grouped(waiting) + " replies"
                                 : grouped(static_cast<long long>(rate + 0.5)) + "/s";
  std::fprintf(stderr, "%sbank-bench: %.0f/%g s  %s committed  %-28s%s", tty_ ? "\r" : "", elapsed_s, options_.seconds,
               grouped(committed).c_str(), tail.c_str(), tty_ ? "" : "\n");
  std::fflush(stderr);
}

LoadResult BenchClients::run() {
  LoadResult r;
  const double cpu_at_start = own_cpu_seconds();
  const auto start = Clock::now();
  const auto load_end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.seconds));
  bool stopping = false;
  Clock::time_point stopped_at = load_end, last_reply = start;
  long long in_flight = 0;

  for (auto& c : clients_) {
    send_transfer(c);
    ++r.sent;
    ++in_flight;
  }
  std::vector<zmq::pollitem_t> items(clients_.size());
  auto next_progress = start + std::chrono::seconds(1);
  auto progress_t = start;
  long long progress_committed = 0;
  bool progress_shown = false;

  auto failure = [&](const std::string& reason, const std::string& error) {
    ++r.failed;
    ++r.failed_by[reason];
    if (!error.empty()) r.first_error.emplace(reason, error);
  };

  for (;;) {
    auto now = Clock::now();
    if (StopSignal::requested()) {
      r.interrupted = true;
      break;
    }
    if (!stopping && now >= load_end) {
      stopping = true;
      stopped_at = now;
      r.in_flight_at_stop = in_flight;
    }
    if (stopping && (in_flight == 0 || now >= stopped_at + options_.reply_timeout)) break;

    for (std::size_t i = 0; i < clients_.size(); ++i)
      items[i] = {clients_[i].socket.handle(), 0, static_cast<short>(clients_[i].in_flight ? ZMQ_POLLIN : 0), 0};
    auto wake = std::min(next_progress, stopping ? stopped_at + options_.reply_timeout : load_end);
    auto wait = std::clamp(std::chrono::duration_cast<milliseconds>(wake - now), milliseconds(0), milliseconds(100));
    try {
      zmq::poll(items.data(), items.size(), wait);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;  // a signal: the loop head looks at it
    }

    now = Clock::now();
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      auto& c = clients_[i];
      if (c.in_flight && (items[i].revents & ZMQ_POLLIN)) {
        zmq::message_t reply;
        if (!c.socket.recv(reply, zmq::recv_flags::dontwait)) continue;
        c.in_flight = false;
        --in_flight;
        last_reply = now;
        r.latencies_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(now - c.sent_at).count());
        std::string error;
        auto what = outcome(reply.to_string_view(), error);
        if (what == "committed")
          ++r.committed;
        else if (what == "aborted")
          ++r.aborted;
        else
          failure(what, error);
      } else if (c.in_flight && now - c.sent_at > options_.reply_timeout) {
        ++r.unanswered;
        failure("no reply", "no reply within " + std::to_string(options_.reply_timeout.count() / 1000) + " s");
        --in_flight;
        open(c);
      }
      if (!c.in_flight && !stopping) {
        send_transfer(c);
        ++r.sent;
        ++in_flight;
      }
    }

    if (now >= next_progress) {
      double rate = static_cast<double>(r.committed - progress_committed) / seconds_between(progress_t, now);
      progress(std::min(seconds_between(start, now), options_.seconds), r.committed, rate, stopping ? in_flight : 0);
      progress_shown = true;
      progress_t = now;
      progress_committed = r.committed;
      next_progress += std::chrono::seconds(1);
    }
  }

  // Whatever is still in flight got no reply within the bound (or the run was interrupted).
  if (!r.interrupted && in_flight > 0) {
    r.unanswered += in_flight;
    r.failed += in_flight;
    r.failed_by["no reply"] += in_flight;
    r.first_error.emplace("no reply", "still unanswered " + std::to_string(options_.reply_timeout.count() / 1000) +
                                          " s after the load stopped");
  }
  // The window runs from the first send to the last reply of the transfers still in flight
  // when the load stopped (at least to the stop itself): every committed transfer counted
  // was sent and answered inside it.
  auto window_end = r.interrupted ? Clock::now() : std::max(stopped_at, last_reply);
  r.window_s = seconds_between(start, window_end);
  r.own_cpu_s = own_cpu_seconds() - cpu_at_start;
  if (tty_ && progress_shown) std::fprintf(stderr, "\n");
  return r;
}

}  // namespace bank::bench
