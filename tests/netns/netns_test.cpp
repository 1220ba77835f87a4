// End to end with hosts in network namespaces (tests/netns/run.sh makes them and runs these
// tests inside the bridge's namespace): four secured nodes, each in a namespace of its own
// with its own address on a bridge, as on a real network. The faults are silent ones that
// the loopback relay of faults_test.cpp cannot make, since it resets connections: a node's
// link down (TCP half-open: no reset, no FIN), one direction dropped (nftables in the
// node's namespace), a node isolated past the failure-detection time, two groups split. All
// under load. After each, once healed: transfers flowing again at every node within the
// bound stated below, and the chains prefixes of each other; at the end: no overlapping
// critical sections, identical chains, money conserved, every committed reply in the chain.
//
// What bounds the recovery: nothing resets a silent connection, so the frames sent during
// the outage wait in TCP, which retransmits them with a doubling timeout (200 ms, then
// 0.4, 0.8, 1.6, 3.2 s: after an outage of D the next try comes within about D of the
// heal); then the link layer resends what is unacknowledged (every 200 ms), hellos and
// heartbeats go every 250 ms, and a critical section takes a round of messages. So: flowing
// again within D + 3 s of the heal (kSlack), measured and printed per fault.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "../e2e/cluster_checks.hpp"
#include "../e2e/load.hpp"

using namespace bank::e2e;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kSlack{3000};

// The namespaces run.sh made.
struct Net {
  std::string prefix, net;
  int nodes = 0;
  static Net from_environment() {
    const char* p = std::getenv("BANK_NETNS_PREFIX");
    const char* n = std::getenv("BANK_NETNS_NET");
    const char* k = std::getenv("BANK_NETNS_NODES");
    REQUIRE_MESSAGE((p && n && k), "run these tests through tests/netns/run.sh, which makes the namespaces");
    return Net{p, n, std::atoi(k)};
  }
  std::string ns(int id) const { return prefix + "n" + std::to_string(id); }
  std::string bridge_port(int id) const { return prefix + "v" + std::to_string(id); }  // in our namespace
  std::string addr(int id) const { return net + "." + std::to_string(id); }
};

// `name` found on PATH (ClusterHarness::run wants a path).
std::string tool(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/sbin:/usr/bin:/sbin:/bin";
  for (std::size_t at = 0; at <= path.size();) {
    auto end = std::min(path.find(':', at), path.size());
    auto candidate = std::filesystem::path(path.substr(at, end - at)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    at = end + 1;
  }
  FAIL(name << " is not on PATH");
  return name;
}

void must(std::vector<std::string> argv, const std::string& input = "") {
  argv[0] = tool(argv[0]);
  auto r = ClusterHarness::run(argv, input);
  std::string words;
  for (const auto& a : argv) words += a + " ";
  REQUIRE_MESSAGE(r.exit_code == 0, words << "failed: " << r.err);
}

// Node `id` drops every packet that arrives from the nodes in `from` (its own namespace's
// nftables input hook): they hear it, it does not hear them.
void drop_from(const Net& n, int id, const std::vector<int>& from) {
  std::string rules = "table inet bankfault {\n chain input {\n  type filter hook input priority 0; policy accept;\n";
  for (int f : from) rules += "  ip saddr " + n.addr(f) + " drop\n";
  rules += " }\n}\n";
  must({"ip", "netns", "exec", n.ns(id), "nft", "-f", "-"}, rules);
}
void stop_dropping(const Net& n, int id) { must({"ip", "netns", "exec", n.ns(id), "nft", "delete", "table", "inet", "bankfault"}); }

// Each node commits (or, drained, aborts) one new transfer; retried with its txid until
// decided. Returns how long it took from the call; fails past `bound`.
milliseconds time_to_flow(ClusterHarness& c, const std::string& tag, milliseconds bound) {
  auto start = Clock::now();
  for (int node = 1; node <= c.size(); ++node) {
    json req{{"cmd", "transfer"}, {"to", node % c.size() + 1}, {"amount", 1}, {"txid", "flow-" + tag + "-" + std::to_string(node)}};
    for (;;) {
      auto left = bound - std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      REQUIRE_MESSAGE(left.count() > 0, tag << ": node " << node << " decided nothing within " << bound.count() << " ms of the heal");
      auto r = c.ask(node, req, std::min(left, milliseconds(3000)));
      if (r && ((*r)["status"] == "committed" || (*r)["status"] == "aborted")) break;
      if (r) REQUIRE_MESSAGE((*r)["status"] == "timeout", r->dump());
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

}  // namespace

TEST_CASE("e2e netns: link down, one direction dropped, a node isolated, two groups split - under load, then healed") {
  const Net n = Net::from_environment();
  REQUIRE(n.nodes == 4);
  ClusterHarness c(n.nodes, "acquire_timeout_ms: 1000\n");
  for (int id = 1; id <= n.nodes; ++id) {
    c.set_host(id, n.addr(id));
    c.set_launcher(id, {"ip", "netns", "exec", n.ns(id)});
  }
  c.start_all();
  c.wait_ready();

  struct Fault {
    std::string name;
    milliseconds held;
    std::function<void()> make, heal;
  };
  const std::vector<Fault> faults{
      {"node 3's link down (half-open)", milliseconds(1000),
       [&] { must({"ip", "link", "set", n.bridge_port(3), "down"}); },
       [&] { must({"ip", "link", "set", n.bridge_port(3), "up"}); }},
      {"node 4 hears no one, all hear it", milliseconds(2500), [&] { drop_from(n, 4, {1, 2, 3}); },
       [&] { stop_dropping(n, 4); }},
      {"node 2 isolated past the failure detection", milliseconds(4000),
       [&] {
         drop_from(n, 2, {1, 3, 4});
         for (int id : {1, 3, 4}) drop_from(n, id, {2});
       },
       [&] {
         for (int id : {1, 2, 3, 4}) stop_dropping(n, id);
       }},
      {"nodes 1 and 2 split from 3 and 4", milliseconds(3000),
       [&] {
         for (int id : {1, 2}) drop_from(n, id, {3, 4});
         for (int id : {3, 4}) drop_from(n, id, {1, 2});
       },
       [&] {
         for (int id : {1, 2, 3, 4}) stop_dropping(n, id);
       }},
  };
  std::vector<Outcome> outcomes;
  {
    Load load(c, 1);
    int k = 0;
    for (const auto& f : faults) {
      load.wait_for(10);
      f.make();
      std::this_thread::sleep_for(f.held);
      f.heal();
      auto took = time_to_flow(c, std::to_string(++k), f.held + kSlack);
      MESSAGE(f.name << ", " << f.held.count() << " ms: every node decided a transfer " << took.count() << " ms after the heal");
      check_prefixes(c);
    }
    load.wait_for(10);
    outcomes = load.finish();
  }
  MESSAGE(outcomes.size() << " transfers decided through " << faults.size() << " faults");
  check_cluster(c, outcomes, 4000);
  expect_flowing(c);
  c.stop_all();
  check_critical_sections(c);
}
