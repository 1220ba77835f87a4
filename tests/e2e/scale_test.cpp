// End to end at scale: 7 and 9 secured nodes under load, one killed with -9 and restarted,
// another paused (SIGSTOP) and resumed. Every entry needs every node's reply, so while a
// node is dead or paused the others answer `timeout`; after it is back, transfers must flow
// again within kFlowBound. Then: identical chains, money conserved, every committed reply in
// the chain once, no overlapping critical sections.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "cluster_checks.hpp"
#include "load.hpp"

using namespace bank::e2e;
using Clock = std::chrono::steady_clock;

namespace {

// A restarted node says hello at once and its peers answer within a heartbeat (250 ms); a
// resumed one's peers resend what it missed within a resend interval (200 ms); every waiting
// client retries 50 ms after its `timeout`, which comes after acquire_timeout_ms (1 s). With
// 9 processes and the load's clients on two shared cores, 5 s leaves room for the machine.
constexpr auto kFlowBound = std::chrono::seconds(5);

// Time from `since` until the load has decided `more` transfers from now on.
std::chrono::milliseconds time_to_flow(const Load& load, int more, Clock::time_point since) {
  load.wait_for(more);
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
}

void kill_and_pause(int nodes) {
  ClusterHarness c(nodes, "acquire_timeout_ms: 1000\n");
  c.start_all();
  c.wait_ready(std::chrono::seconds(30));
  {
    Load load(c, 1);
    load.wait_for(5 * nodes);

    const int victim = nodes / 2, paused = nodes;
    REQUIRE(c.stop(victim, SIGKILL) == -SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the others now time out
    auto restarted = Clock::now();
    c.start(victim);
    c.wait_ready(std::chrono::seconds(20));
    auto after_kill = time_to_flow(load, nodes, restarted);
    MESSAGE(nodes << " nodes: " << nodes << " more transfers decided " << after_kill.count() << " ms after node "
                  << victim << " was started again after kill -9");
    CHECK(after_kill < kFlowBound);

    REQUIRE(c.signal(paused, SIGSTOP));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past acquire_timeout_ms: timeouts
    auto resumed = Clock::now();
    REQUIRE(c.signal(paused, SIGCONT));
    auto after_pause = time_to_flow(load, nodes, resumed);
    MESSAGE(nodes << " nodes: " << nodes << " more transfers decided " << after_pause.count() << " ms after node "
                  << paused << " resumed from a 1.5 s pause");
    CHECK(after_pause < kFlowBound);

    auto outcomes = load.finish();
    MESSAGE(nodes << " nodes: " << outcomes.size() << " transfers decided through a kill -9 and a pause");
    check_cluster(c, outcomes, 1000LL * nodes);
  }
  expect_flowing(c);
  c.stop_all();
  check_critical_sections(c);
}

}  // namespace

TEST_CASE("e2e scale: 7 nodes under load through a kill -9 and a pause lose nothing and flow again") {
  kill_and_pause(7);
}

TEST_CASE("e2e scale: 9 nodes under load through a kill -9 and a pause lose nothing and flow again") {
  kill_and_pause(9);
}
