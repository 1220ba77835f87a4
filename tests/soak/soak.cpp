// bank-soak: a secured cluster under steady load for a given time, with a fault every few
// seconds drawn at random, checked all along; scripts/soak runs it (docs/testing-faults.md).
//
// Faults: kill -9 then a restart; a pause (SIGSTOP, then SIGCONT); every peer link cut at
// once by the relays between the nodes; a power cut (the node is restarted under the
// power-cut shim, takes load, is killed, and its folder put back to what it had synced); a
// clean restart (SIGTERM). Node 1 is only ever paused or cut off, never restarted, so its
// figures cover the whole run: they show whether memory, descriptors or threads grow.
//
// Checked between faults, every second: the chains of all nodes are prefixes of one chain
// whose hashes and links are right, which conserves money and never overdraws, and in which
// every transfer a client was told committed is, as told, once. After each fault, transfers
// must flow again within kFlowBound. At the end: identical chains, balances, every committed
// reply in the chain once and no aborted one, no overlapping critical sections (in the logs,
// by this harness and by `bank-trace --check`), transfers flowing. A failed check makes the
// exit code non-zero.
//
// Reports: a table of RSS, open descriptors, threads and log size per node every minute, and
// a JSON summary at the end (stdout, and the file --json names).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <sodium.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "../e2e/cluster_checks.hpp"
#include "../e2e/load.hpp"

using namespace bank::e2e;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

struct Options {
  double minutes = 0.5;
  int nodes = 3;
  unsigned seed = 1;
  int clients = 2;      // per node
  int pause_ms = 100;   // each client's wait after a decided transfer
  std::string json_path;
} options;

// A restarted node says hello at once and its peers answer within a heartbeat (250 ms); a
// resumed or reconnected one gets what it missed within a resend interval (200 ms); a client
// whose transfer timed out retries 50 ms after the `timeout`, which comes after
// acquire_timeout_ms (1 s). The rest is room for a machine shared with other work.
constexpr auto kFlowBound = std::chrono::seconds(10);
constexpr long long kTotal = 1000;  // each account's genesis balance

long long ms_since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

// The one chain every node's must be a prefix of, learnt a page at a time: each node is read
// from where it was last read, so a check costs the blocks appended since, not the chain.
class ChainFollower {
 public:
  explicit ChainFollower(long long total) : total_(total) {}

  // Reads what the running nodes appended since the last check, then checks the outcomes
  // decided since (`fresh`).
  void check(ClusterHarness& c, std::vector<Outcome> fresh) {
    for (int node = 1; node <= c.size(); ++node)
      if (c.running(node)) read(c, node);
    for (auto& o : fresh)
      if (o.reply.value("status", "") == "committed") pending_.push_back(std::move(o));
    // A committed reply's block is in the chain, once, as the reply showed it. It may be
    // ahead of what was read of the chain: then it waits for the next check.
    std::vector<Outcome> later;
    for (auto& o : pending_) {
      auto index = o.reply["block"]["index"].get<std::size_t>();
      if (index >= hashes_.size()) {
        later.push_back(std::move(o));
        continue;
      }
      CHECK_MESSAGE(o.reply["block"]["hash"] == hashes_[index], "committed " << o.reply.dump() << " is not block " << index);
      const int times = txids_[std::pair{o.node, o.reply.value("txid", "")}];
      CHECK_MESSAGE(times == 1, "committed " << o.reply.dump() << " is not in the chain once");
    }
    pending_ = std::move(later);
  }

  // Node `id` may have lost blocks it had not synced (a power cut): it is read again from
  // block `from` on, where its folder now ends.
  void rewind(int id, std::uint64_t from) { next_[id] = std::min(next_[id], from); }

  std::size_t height() const { return hashes_.empty() ? 0 : hashes_.size() - 1; }
  std::size_t waiting() const { return pending_.size(); }

 private:
  void read(ClusterHarness& c, int node) {
    for (std::uint64_t& from = next_[node];;) {
      auto r = c.ask(node, {{"cmd", "chain"}, {"from", from}});
      REQUIRE_MESSAGE(r, "node " << node << " did not answer chain from " << from);
      for (const auto& b : (*r)["blocks"]) take(node, b);
      from += (*r)["blocks"].size();
      if (!r->contains("next")) break;
    }
  }

  void take(int node, const json& block) {
    auto i = block["index"].get<std::size_t>();
    if (i < hashes_.size()) {
      REQUIRE_MESSAGE(block["hash"] == hashes_[i], "node " << node << " has another block " << i << " than the chain: " << block.dump());
      return;
    }
    REQUIRE_MESSAGE(i == hashes_.size(), "node " << node << " skipped to block " << i);
    json b = block;
    b.erase("hash");
    b.erase("sig");
    REQUIRE_MESSAGE(sha256_hex(b.dump()) == block["hash"], "block " << i << " has a wrong hash");
    REQUIRE(block["prev"] == (i == 0 ? std::string(64, '0') : hashes_.back()));
    if (i == 0) {
      for (const auto& [id, cents] : block["genesis"]["balances"].items()) balances_[id] = cents.get<long long>();
    } else {
      const auto& tx = block["tx"];
      auto from = std::to_string(tx["from"].get<int>()), to = std::to_string(tx["to"].get<int>());
      long long amount = tx["amount"];
      REQUIRE(amount > 0);
      balances_[from] -= amount;
      balances_[to] += amount;
      REQUIRE_MESSAGE(balances_[from] >= 0, "block " << i << " overdraws account " << from);
      const int n = ++txids_[std::pair{tx["from"].get<int>(), tx["txid"].get<std::string>()}];
      REQUIRE_MESSAGE(n == 1, "txid " << tx["txid"] << " is in the chain twice");
    }
    long long sum = 0;
    for (const auto& [id, cents] : balances_) sum += cents;
    REQUIRE_MESSAGE(sum == total_, "the chain holds " << sum << " cents after block " << i << ", not " << total_);
    hashes_.push_back(block["hash"].get<std::string>());
  }

  long long total_;
  std::vector<std::string> hashes_;
  std::map<std::string, long long> balances_;
  std::map<std::pair<int, std::string>, int> txids_;
  std::map<int, std::uint64_t> next_;
  std::vector<Outcome> pending_;
};

// What /proc says of one node's process, and its log's size.
json sample_node(const ClusterHarness& c, int id) {
  json s{{"node", id}};
  auto log = c.log_path(id);
  std::error_code ec;
  auto log_bytes = fs::file_size(log, ec);
  s["log_bytes"] = ec ? 0 : log_bytes;
  auto pid = c.pid(id);
  if (!pid) return s;
  s["pid"] = *pid;
  std::ifstream in("/proc/" + std::to_string(*pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) s["rss_kib"] = std::stoll(line.substr(6));
    if (line.rfind("Threads:", 0) == 0) s["threads"] = std::stoi(line.substr(8));
  }
  int fds = 0;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(*pid) + "/fd", ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    ++fds;
  s["fds"] = fds;
  return s;
}

std::string cell(const json& s, const char* key) { return s.contains(key) ? s[key].dump() : "-"; }

void print_table(const json& sample) {
  std::printf("\n%6.1f min  %d decided  %d faults  height %lld\n", sample["minute"].get<double>(),
              sample["decided"].get<int>(), sample["faults"].get<int>(), sample["height"].get<long long>());
  std::printf("  %-4s %8s %10s %5s %8s %12s\n", "node", "pid", "rss_kib", "fds", "threads", "log_bytes");
  for (const auto& n : sample["nodes"])
    std::printf("  %-4d %8s %10s %5s %8s %12s\n", n["node"].get<int>(), cell(n, "pid").c_str(), cell(n, "rss_kib").c_str(),
                cell(n, "fds").c_str(), cell(n, "threads").c_str(), cell(n, "log_bytes").c_str());
  std::fflush(stdout);
}

fs::path data_dir(const ClusterHarness& c, int id) { return c.dir() / "data" / ("node-" + std::to_string(id)); }
fs::path shim_state(const ClusterHarness& c, int id) { return c.dir() / "powercut" / ("node-" + std::to_string(id)); }

std::uint64_t lines_in(const fs::path& file) {
  std::ifstream in(file);
  std::uint64_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

TEST_CASE("soak: a secured cluster under load with a random fault every few seconds") {
  const int n = options.nodes;
  ClusterHarness c(n, "acquire_timeout_ms: 1000\n", /*relayed=*/true);
  c.start_all();
  c.wait_ready(std::chrono::seconds(30));
  std::mt19937 rng(options.seed);
  auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng() % static_cast<unsigned>(hi - lo + 1)); };

  ChainFollower chain(kTotal * n);
  std::map<std::string, int> faults;
  std::vector<long long> recoveries;
  json samples = json::array();
  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::milliseconds(static_cast<long long>(options.minutes * 60000));
  std::vector<Outcome> outcomes;
  std::size_t seen = 0;  // outcomes handed to the chain check
  std::printf("soak: %d secured nodes for %.1f minutes (seed %u), %d clients per node pausing %d ms, in %s\n", n,
              options.minutes, options.seed, options.clients, options.pause_ms, c.dir().string().c_str());
  {
    Load load(c, options.clients, 300, "w", std::chrono::milliseconds(options.pause_ms));
    auto sample = [&] {
      json s{{"minute", static_cast<double>(ms_since(t0)) / 60000.0}, {"decided", load.decided()},
             {"faults", static_cast<int>(recoveries.size())}, {"height", static_cast<long long>(chain.height())},
             {"nodes", json::array()}};
      for (int id = 1; id <= n; ++id) s["nodes"].push_back(sample_node(c, id));
      samples.push_back(s);
      print_table(s);
    };
    auto check = [&] {
      auto fresh = load.since(seen);
      seen += fresh.size();
      chain.check(c, std::move(fresh));
    };
    load.wait_for(5 * n);
    check();
    sample();
    int next_minute = 1;

    while (Clock::now() < end) {
      // A few seconds of steady load, checked every second.
      auto quiet_until = std::min(end, Clock::now() + std::chrono::milliseconds(pick(2000, 5000)));
      while (Clock::now() < quiet_until) {
        std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::seconds(1), quiet_until - Clock::now()));
        check();
        if (Clock::now() >= t0 + std::chrono::minutes(next_minute)) {
          sample();
          ++next_minute;
        }
      }
      if (Clock::now() >= end) break;

      static const std::vector<std::string> kinds{"kill", "pause", "cut_links", "power_cut", "restart"};
      const std::string kind = kinds[rng() % kinds.size()];
      // Node 1 is never restarted: its process lives through the whole run.
      const int victim = kind == "pause" ? pick(1, n) : pick(2, n);
      if (kind == "kill") {
        REQUIRE(c.stop(victim, SIGKILL) == -SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(pick(50, 1500)));
        c.start(victim);
      } else if (kind == "pause") {
        REQUIRE(c.signal(victim, SIGSTOP));
        std::this_thread::sleep_for(std::chrono::milliseconds(pick(200, 3000)));
        REQUIRE(c.signal(victim, SIGCONT));
      } else if (kind == "cut_links") {
        int before = c.cuts();
        c.cut_links();
        auto deadline = Clock::now() + std::chrono::seconds(5);
        while (c.cuts() == before && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      } else if (kind == "power_cut") {
        // Only this run of the node is under the shim: it copies what is synced, which would
        // make the node's own memory and time grow with the chain if it stayed.
        REQUIRE(c.stop(victim) == 0);
        c.set_env(victim, {std::string("LD_PRELOAD=") + POWER_CUT_SHIM, "POWERCUT_ROOT=" + data_dir(c, victim).string(),
                           "POWERCUT_STATE=" + shim_state(c, victim).string()});
        c.start(victim);
        c.wait_ready(std::chrono::seconds(30));
        load.wait_for(pick(1, 10));
        REQUIRE(c.stop(victim, SIGKILL) == -SIGKILL);
        fs::remove_all(data_dir(c, victim));
        if (!fs::exists(shim_state(c, victim) / "root-lost"))
          fs::copy(shim_state(c, victim) / "tree", data_dir(c, victim), fs::copy_options::recursive);
        fs::remove_all(shim_state(c, victim));
        auto kept = lines_in(data_dir(c, victim) / "blocks.jsonl");
        chain.rewind(victim, kept == 0 ? 0 : kept - 1);
        c.set_env(victim, {});
        c.start(victim);
      } else {
        REQUIRE(c.stop(victim) == 0);
        c.start(victim);
      }
      ++faults[kind];
      // From the end of the fault: every node back and answering, then `n` more decisions.
      auto back = Clock::now();
      c.wait_ready(std::chrono::seconds(30));
      load.wait_for(n);
      auto ms = ms_since(back);
      recoveries.push_back(ms);
      CHECK_MESSAGE(ms < std::chrono::milliseconds(kFlowBound).count(),
                    kind << " of node " << victim << ": transfers flowed again only after " << ms << " ms");
      check();
    }
    check();
    if (ms_since(t0) > samples.back()["minute"].get<double>() * 60000 + 1000) sample();  // unless one was just taken
    outcomes = load.finish();
  }
  MESSAGE(outcomes.size() << " transfers decided through " << recoveries.size() << " faults");
  check_cluster(c, outcomes, kTotal * n);
  expect_flowing(c);
  // The outcomes decided after the last check, and blocks not read yet.
  chain.check(c, {outcomes.begin() + static_cast<std::ptrdiff_t>(seen), outcomes.end()});
  CHECK(chain.waiting() == 0);
  c.stop_all();
  check_critical_sections(c);
  auto trace = ClusterHarness::run({BANK_TRACE_BIN, "--check", c.dir().string()}, "", std::chrono::minutes(5));
  CHECK_MESSAGE(trace.exit_code == 0, "bank-trace --check: " << trace.out << trace.err);

  // The summary.
  long long committed = 0, aborted = 0;
  for (const auto& o : outcomes) (o.reply["status"] == "committed" ? committed : aborted)++;
  long long max_recovery = 0, sum_recovery = 0;
  for (auto ms : recoveries) {
    max_recovery = std::max(max_recovery, ms);
    sum_recovery += ms;
  }
  json per_node = json::array();
  for (int id = 1; id <= n; ++id) {
    const auto& first = samples.front()["nodes"][id - 1];
    const auto& last = samples.back()["nodes"][id - 1];
    per_node.push_back({{"node", id}, {"start", first}, {"end", last}});
  }
  json summary{{"minutes", static_cast<double>(ms_since(t0)) / 60000.0},
               {"nodes", n},
               {"seed", options.seed},
               {"decided", outcomes.size()},
               {"committed", committed},
               {"aborted", aborted},
               {"height", chain.height()},
               {"faults", faults},
               {"recovery_ms", {{"max", max_recovery}, {"mean", recoveries.empty() ? 0 : sum_recovery / static_cast<long long>(recoveries.size())}}},
               {"trace_check", trace.exit_code == 0 ? "ok" : "failed"},
               {"per_node", per_node},
               {"samples", samples}};
  for (const auto& p : per_node)
    std::printf("node %d%s: RSS %s -> %s KiB, descriptors %s -> %s, threads %s -> %s, log %s -> %s bytes\n",
                p["node"].get<int>(), p["start"].value("pid", 0) == p["end"].value("pid", -1) ? " (one process all along)" : "",
                cell(p["start"], "rss_kib").c_str(), cell(p["end"], "rss_kib").c_str(), cell(p["start"], "fds").c_str(),
                cell(p["end"], "fds").c_str(), cell(p["start"], "threads").c_str(), cell(p["end"], "threads").c_str(),
                cell(p["start"], "log_bytes").c_str(), cell(p["end"], "log_bytes").c_str());
  std::printf("\nsummary: %s\n", summary.dump().c_str());
  if (!options.json_path.empty()) std::ofstream(options.json_path) << summary.dump(2) << "\n";
}

int main(int argc, char** argv) {
  auto usage = [] {
    std::fprintf(stderr,
                 "usage: bank-soak [--minutes M] [--nodes N] [--seed S] [--clients C] [--pause-ms P]\n"
                 "                 [--json FILE] [doctest options]\n"
                 "  runs a secured cluster of N nodes (3) for M minutes (0.5) under the load of C clients\n"
                 "  per node (2), each waiting P ms (100) after each decided transfer, with a random\n"
                 "  fault every few seconds (seed S, 1); exit 0 only when every check held\n");
  };
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (a == "--minutes") options.minutes = std::stod(value());
      else if (a == "--nodes") options.nodes = std::stoi(value());
      else if (a == "--seed") options.seed = static_cast<unsigned>(std::stoul(value()));
      else if (a == "--json") options.json_path = value();
      else if (a == "--clients") options.clients = std::stoi(value());
      else if (a == "--pause-ms") options.pause_ms = std::stoi(value());
      else if (a == "-h" || a == "--help") {
        usage();
        return 0;
      } else rest.push_back(argv[i]);
    } catch (const std::exception&) {
      std::fprintf(stderr, "bank-soak: %s needs a number\n", a.c_str());
      return 2;
    }
  }
  if (options.minutes <= 0 || options.nodes < 2 || options.nodes > 9 || options.clients < 1 || options.pause_ms < 0) {
    std::fprintf(stderr, "bank-soak: --minutes must be above 0, --nodes from 2 to 9, --clients 1 or more, --pause-ms 0 or more\n");
    return 2;
  }
  if (sodium_init() < 0) return 1;
  doctest::Context context;
  context.applyCommandLine(static_cast<int>(rest.size()), rest.data());
  return context.run();
}
