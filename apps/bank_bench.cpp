// bank-bench: measures a real cluster.
//   bank-bench --nodes N --clients C --seconds S [--fsync on|off] [--keep DIR] [--batch B] [--seed X]
//              [--hosting one_thread|thread_per_actor]
// Starts N bank-node processes (found beside this executable) on free loopback ports, drives C
// closed-loop clients spread round-robin over them for S seconds, checks that the nodes agree
// (height, head, verify, balances, commits) and counts peer messages in their logs. Prints a
// table, then as its last line one JSON object. Exit: 0 consistent, 1 not consistent or some
// transfers failed, 2 bad usage or the cluster did not start, 130 interrupted (SIGINT).
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

#include <CLI/CLI.hpp>

#include "apps/bench/bench_clients.hpp"
#include "apps/bench/bench_report.hpp"
#include "apps/bench/grouped.hpp"
#include "apps/bench/consistency_check.hpp"
#include "apps/bench/log_stats.hpp"
#include "apps/bench/stop_signal.hpp"
#include "client/process_cluster.hpp"

namespace {

namespace fs = std::filesystem;
using namespace bank::bench;

enum Exit { consistent = 0, not_consistent = 1, usage = 2, interrupted = 130 };

struct Options {
  int nodes = 3;
  int clients = 32;
  double seconds = 10;
  std::string fsync = "on";
  std::string keep;
  std::optional<int> batch;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> hosting;
  bool insecure = false;
};

// Large enough that a run never runs an account dry (transfers are 1..100 cents).
constexpr bank::Cents kInitialBalance = 100'000'000;  // $1,000,000.00
constexpr std::chrono::seconds kReadyBound{20}, kSameHeightBound{15}, kStopBound{10};
constexpr int kMaxClients = 1000;

std::string one_line(std::string s) {
  for (auto& ch : s)
    if (ch == '\n') ch = ' ';
  return s;
}

// Each client is a ZeroMQ socket and a TCP connection: make room for them.
void raise_file_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
}

bank::ClusterSpec cluster_spec(const Options& o) {
  return bank::ClusterSpec{.nodes = o.nodes,
                           .initial_balance = kInitialBalance,
                           .fsync = o.fsync == "on",
                           .batch = o.batch,
                           .hosting = o.hosting ? bank::parse_hosting(*o.hosting) : std::nullopt,
                           // The nodes log as a user's do by default (log: protocol);
                           // msgs_per_cs counts every frame from their metrics instead.
                           .extra_yaml = "",
                           .written_by = "bank-bench",
                           .security = !o.insecure};
}

// Starts every node and waits until they see each other; an exit code when they did not.
std::optional<int> start(bank::ProcessCluster& cluster) {
  cluster.start_all();
  auto why = cluster.wait_ready(kReadyBound);
  if (!why) return std::nullopt;
  if (StopSignal::requested()) return interrupted;
  std::fprintf(stderr, "bank-bench: the cluster did not start: %s\n", why->c_str());
  return usage;
}

// Every frame node `id` sent its peers, by its metrics; nothing when it does not answer.
std::optional<long long> frames_sent(bank::ProcessCluster& cluster, int id) {
  auto r = cluster.ask(id, bank::MetricsCmd{}, std::chrono::seconds(5));
  const auto* m = r ? std::get_if<bank::MetricsReply>(&*r) : nullptr;
  if (!m) return std::nullopt;
  long long total = 0;
  for (const auto& [peer, set] : m->peers)
    if (auto it = set.counters.find("frames_sent"); it != set.counters.end()) total += static_cast<long long>(it->second);
  return total;
}

// CPU is read just before and just after the load, so it covers the load alone.
LoadResult load(const Options& o, bank::ProcessCluster& cluster, std::uint64_t seed, std::vector<NodeFigures>& nodes) {
  std::vector<std::optional<double>> cpu_before;
  for (int id = 1; id <= o.nodes; ++id) cpu_before.push_back(cluster.cpu_seconds(id));
  LoadOptions options{.clients = o.clients,
                      .seconds = o.seconds,
                      .consoles = {},
                      .keys = {},
                      .seed = seed,
                      .reply_timeout = LoadOptions{}.reply_timeout};
  for (int id = 1; id <= o.nodes; ++id) {
    options.consoles.push_back(cluster.console_port(id));
    options.keys.push_back(cluster.console_keys(id));
  }
  LoadResult result = BenchClients(cluster.context(), options).run();
  for (int id = 1; id <= o.nodes; ++id) {
    auto& n = nodes.emplace_back(
        NodeFigures{.id = id, .cpu_s = std::nullopt, .peak_rss_kib = std::nullopt, .frames_sent = std::nullopt, .log = {}});
    const auto& before = cpu_before[static_cast<std::size_t>(id - 1)];
    if (auto after = cluster.cpu_seconds(id); after && before) n.cpu_s = *after - *before;
    n.peak_rss_kib = cluster.peak_rss_kib(id);
    n.frames_sent = frames_sent(cluster, id);
  }
  return result;
}

// Stops the nodes, says which did not exit cleanly, and counts their logs.
void stop_and_scan(bank::ProcessCluster& cluster, std::vector<NodeFigures>& nodes) {
  for (const auto& [id, code] : cluster.stop_all(kStopBound))
    if (code != 0)
      std::fprintf(stderr, "bank-bench: node %d %s when stopped\n", id,
                   code > 0 ? ("exited with code " + std::to_string(code)).c_str()
                            : ("was killed by signal " + std::to_string(-code)).c_str());
  for (auto& n : nodes) {
    n.log = LogStats::scan(cluster.log_path(n.id));
    if (n.log.errors() > 0)
      std::fprintf(stderr, "bank-bench: node %d logged %lld error events; the first: %s\n", n.id, n.log.errors(),
                   n.log.first_error().c_str());
  }
}

void print_failures(const LoadResult& load, const std::vector<CheckResult>& checks) {
  for (const auto& [why, count] : load.failed_by) {
    auto first = load.first_error.find(why);
    std::fprintf(stderr, "bank-bench: %s transfers failed (%s)%s%s\n", grouped(count).c_str(), why.c_str(),
                 first == load.first_error.end() ? "" : ": ",
                 first == load.first_error.end() ? "" : first->second.c_str());
  }
  for (const auto& c : checks)
    if (!c.passed) std::fprintf(stderr, "bank-bench: check failed: %s: %s\n", c.name.c_str(), c.detail.c_str());
}

// The table, then the JSON line; the exit code they mean.
int report(RunFigures figures) {
  const bool all_answered = figures.load.failed == 0;
  BenchReport report(std::move(figures));
  std::fflush(stderr);
  report.print_table(stdout);
  std::printf("%s\n", report.json().dump().c_str());
  std::fflush(stdout);
  return report.consistent() && all_answered ? consistent : not_consistent;
}

// The whole run inside `dir`; the cluster is stopped when this returns, whatever happens.
int run(const Options& o, const fs::path& dir, const fs::path& node_bin) {
  const auto spec = cluster_spec(o);
  bank::ProcessCluster cluster(dir, node_bin, spec);
  cluster.context().set(zmq::ctxopt::max_sockets, o.clients + 64);
  cluster.stop_when(StopSignal::requested);
  if (auto failed = start(cluster)) return *failed;

  const std::uint64_t seed = o.seed ? *o.seed : std::random_device{}();
  std::vector<NodeFigures> nodes;
  LoadResult result = load(o, cluster, seed, nodes);
  if (result.interrupted) return interrupted;

  ConsistencyCheck check(cluster);
  auto checks = check.run(result.committed, result.unanswered, kSameHeightBound);
  if (StopSignal::requested()) return interrupted;
  stop_and_scan(cluster, nodes);
  print_failures(result, checks);
  return report(RunFigures{.nodes = o.nodes,
                           .clients = o.clients,
                           .seconds = o.seconds,
                           .fsync = spec.fsync,
                           .batch = o.batch,
                           .hosting = o.hosting,
                           .security = !o.insecure,
                           .seed = seed,
                           .load = std::move(result),
                           .height = check.height(),
                           .checks = std::move(checks),
                           .node = std::move(nodes)});
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Lamport Bank benchmark: starts a local cluster of bank-node processes, drives closed-loop "
               "transfer clients against it, checks that it stays consistent and reports the figures",
               "bank-bench"};
  app.set_version_flag("--version", "bank-bench " BANK_VERSION);
  Options o;
  // A transfer needs another account to pay: one node alone has none.
  app.add_option("--nodes", o.nodes, "cluster size, 2 to 9 (default 3)")->check(CLI::Range(2, 9));
  app.add_option("--clients", o.clients, "concurrent closed-loop clients, spread round-robin over the nodes (default 32)")
      ->check(CLI::Range(1, kMaxClients));
  app.add_option("--seconds", o.seconds, "length of the load (default 10)")
      ->check(CLI::Validator(
          [](const std::string& text) {
            char* end = nullptr;
            double s = std::strtod(text.c_str(), &end);
            return (*end == '\0' && s > 0 && s <= 86400) ? std::string() : "must be a number of seconds above 0, up to 86400";
          },
          "SECONDS"));
  app.add_option("--fsync", o.fsync, "fsync each block before it is sent or acknowledged (default on)")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_option("--keep", o.keep, "run in this new or empty folder and keep it (config, data, node logs)");
  app.add_option("--batch", o.batch, "most transfers a node commits per critical-section entry (default: the node's)")
      ->check(CLI::PositiveNumber);
  app.add_option("--hosting", o.hosting, "how each node hosts its actors (default: the node's, one_thread)")
      ->check(CLI::IsMember({"one_thread", "thread_per_actor"}));
  app.add_flag("--insecure", o.insecure, "run the cluster with security off (no CURVE, no signatures), to measure its cost");
  app.add_option("--seed", o.seed, "seed of the clients' random transfers (default: a random one, printed)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "bank-bench: %s (try --help)\n", one_line(e.what()).c_str());
    return usage;
  }

  std::error_code ec;
  fs::path node_bin = fs::canonical("/proc/self/exe", ec).parent_path() / "bank-node";
  if (ec || ::access(node_bin.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "bank-bench: no bank-node executable beside this one (%s)\n", node_bin.c_str());
    return usage;
  }

  fs::path dir;
  bool temporary = o.keep.empty();
  if (temporary) {
    char tmpl[] = "/tmp/bank-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      std::fprintf(stderr, "bank-bench: cannot make a folder in /tmp: %s\n", std::strerror(errno));
      return usage;
    }
    dir = tmpl;
  } else {
    dir = fs::absolute(o.keep, ec);
    if (!ec) fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir) || !fs::is_empty(dir, ec)) {
      std::fprintf(stderr, "bank-bench: --keep %s must be a new or empty folder%s%s\n", o.keep.c_str(),
                   ec ? ": " : "", ec ? ec.message().c_str() : "");
      return usage;
    }
  }

  StopSignal::install();
  raise_file_limit();
  int code = usage;
  try {
    code = run(o, dir, node_bin);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bank-bench: %s\n", one_line(e.what()).c_str());
    code = StopSignal::requested() ? interrupted : usage;
  }
  if (code == interrupted) std::fprintf(stderr, "bank-bench: interrupted; the nodes are stopped\n");

  // A failed run keeps its folder so its logs can be read; a good or interrupted one does not.
  if (temporary && code != not_consistent) {
    fs::remove_all(dir, ec);
  } else {
    std::fprintf(stderr, "bank-bench: the run's config, data and node logs are in %s\n", dir.c_str());
  }
  return code;
}
