// End to end under faults: kill -9 under load, a node paused inside its critical section,
// a torn last record, a flipped byte, the whole cluster stopped and started. After each:
// identical chains, money conserved, every committed reply in the chain exactly once, no
// overlapping critical sections, and transfers flowing again.
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "cluster_checks.hpp"
#include "load.hpp"

using namespace bank::e2e;
using nlohmann::json;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kConfig = "acquire_timeout_ms: 1000\n";

// "no answer in time from node 3" / "... from nodes 1 and 3": is `id` among those named?
bool names_node(const std::string& error, int id) {
  auto at = error.find("node");
  if (at == std::string::npos) return false;
  std::set<int> ids;
  for (std::size_t i = at; i < error.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(error[i]))) continue;
    std::size_t end = i;
    while (end < error.size() && std::isdigit(static_cast<unsigned char>(error[end]))) ++end;
    ids.insert(std::stoi(error.substr(i, end - i)));
    i = end;
  }
  return ids.contains(id);
}

}  // namespace

TEST_CASE("e2e faults: kill -9 of a random node under load, again and again, loses nothing") {
  ClusterHarness c(3, kConfig);
  c.start_all();
  c.wait_ready();
  std::mt19937 rng(7);
  {
    Load load(c, 2);
    for (int round = 0; round < 6; ++round) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 300));
      int victim = 1 + static_cast<int>(rng() % 3);
      CHECK(c.stop(victim, SIGKILL) == -SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
      c.start(victim);
      c.wait_ready(std::chrono::seconds(20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto outcomes = load.finish();
    MESSAGE(outcomes.size() << " transfers decided through 6 kills");
    CHECK(outcomes.size() > 20);
    check_cluster(c, outcomes, 3000);
  }
  expect_flowing(c);
  c.stop_all();
  check_critical_sections(c);
}

TEST_CASE("e2e faults: a node paused inside its critical section holds everyone, then all resumes") {
  ClusterHarness c(3, kConfig);
  c.start_all();
  c.wait_ready();
  Load load(c, 2);
  // Catch node 1 inside its critical section: stop it (every thread: one still running
  // could write cs_exit and send the release after the log was read), then read its log;
  // if its last cs event is not an enter, let it go and try again.
  bool caught = false;
  auto log = c.dir() / "node-1.log";
  for (int attempt = 0; attempt < 2000 && !caught; ++attempt) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    auto paused = c.pause(1);
    REQUIRE(paused);
    auto text = slurp(log);
    auto enter = text.rfind("\"event\":\"cs_enter\""), exit = text.rfind("\"event\":\"cs_exit\"");
    caught = enter != std::string::npos && (exit == std::string::npos || enter > exit);
    if (!caught) c.signal(1, SIGCONT);
  }
  REQUIRE_MESSAGE(caught, "never caught node 1 inside its critical section");
  auto height_paused = (*c.ask(2, {{"cmd", "status"}}))["height"];
  auto r = c.ask(2, {{"cmd", "transfer"}, {"to", 3}, {"amount", 1}}, std::chrono::seconds(5));
  REQUIRE(r);
  CHECK((*r)["status"] == "timeout");
  CHECK_MESSAGE(names_node((*r)["error"], 1), r->dump());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // Node 1 still holds the section: no one else appended meanwhile.
  CHECK((*c.ask(2, {{"cmd", "status"}}))["height"] == height_paused);
  CHECK((*c.ask(3, {{"cmd", "status"}}))["height"] == height_paused);
  c.signal(1, SIGCONT);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto outcomes = load.finish();
  MESSAGE(outcomes.size() << " transfers decided around a 3 s pause inside the critical section");
  check_cluster(c, outcomes, 3000);
  expect_flowing(c);
  c.stop_all();
  check_critical_sections(c);
}

TEST_CASE("e2e faults: a torn last record is cut off and logged - a flipped byte stops the node with exit 2") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  {
    Load load(c, 1);
    while (load.decided() < 30) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    load.finish();
  }
  c.wait_same_height();
  auto blocks = c.dir() / "data" / "node-2" / "blocks.jsonl";

  // Torn: a crash in the middle of writing a record leaves a line without its newline.
  CHECK(c.stop(2) == 0);
  { std::ofstream(blocks, std::ios::app) << "{\"hash\":\"5d27d54d"; }
  c.start(2);
  c.wait_ready();
  auto text = slurp(blocks);
  CHECK(text.back() == '\n');
  bool repaired = false;
  for (const auto& e : c.log_events(2)) repaired = repaired || e["event"] == "repair";
  CHECK(repaired);
  expect_flowing(c);
  c.wait_same_height();

  // Damage: one changed byte in a block in the middle. The node refuses to start, names the
  // file and the block, and changes nothing.
  CHECK(c.stop(2) == 0);
  std::string good = slurp(blocks);
  std::size_t lines = std::count(good.begin(), good.end(), '\n');
  std::size_t line = lines / 2, at = 0;
  for (std::size_t i = 0; i < line; ++i) at = good.find('\n', at) + 1;
  std::size_t digit = good.find("\"amount\":", at) + 9;
  std::string bad = good;
  bad[digit] = bad[digit] == '9' ? '8' : bad[digit] + 1;
  { std::ofstream(blocks, std::ios::binary | std::ios::trunc) << bad; }
  auto r = ClusterHarness::run({BANK_NODE_BIN, "--config", c.config().string(), "--id", "2"});
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find(blocks.string()) != std::string::npos);
  CHECK(r.err.find("block " + std::to_string(line)) != std::string::npos);
  CHECK(slurp(blocks) == bad);  // nothing on disk changed
  { std::ofstream(blocks, std::ios::binary | std::ios::trunc) << good; }
  c.start(2);
  c.wait_ready();
  expect_flowing(c);
  check_cluster(c, {}, 3000);
  c.stop_all();
  check_critical_sections(c);
}

TEST_CASE("e2e faults: the whole cluster stopped and started keeps every block and every txid's answer") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  std::vector<Outcome> outcomes;
  {
    Load load(c, 2, 900);  // large amounts: some overdraw and abort
    while (load.decided() < 60) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    outcomes = load.finish();
  }
  auto before = check_cluster(c, outcomes, 3000);
  c.stop_all();
  c.start_all();
  c.wait_ready();
  auto after = check_cluster(c, outcomes, 3000);
  CHECK(after == before);
  // Retries after the restart answer exactly what was answered before (a committed one
  // marked a replay), and pay nothing.
  int aborted_retried = 0;
  for (const auto& o : outcomes) {
    auto r = c.ask(o.node, o.request);
    REQUIRE(r);
    auto expected = o.reply;
    if (expected["status"] == "committed") expected["replay"] = true;
    CHECK(*r == expected);
    aborted_retried += o.reply["status"] == "aborted";
  }
  MESSAGE(outcomes.size() << " retried after restart, " << aborted_retried << " of them aborted ones");
  CHECK(aborted_retried > 0);
  CHECK(c.wait_same_height() == before.size() - 1);
  expect_flowing(c);
  c.stop_all();
  check_critical_sections(c);
}

TEST_CASE("e2e faults: peer connections cut mid-stream again and again lose no message") {
  ClusterHarness c(3, kConfig, true);
  c.start_all();
  c.wait_ready();
  std::vector<Outcome> outcomes;
  {
    Load load(c, 2);
    std::mt19937 rng(11);
    for (int round = 0; round < 25; ++round) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 150));
      c.cut_links();
    }
    outcomes = load.finish();
  }
  MESSAGE(outcomes.size() << " transfers decided through " << c.cuts() << " link cuts");
  CHECK(c.cuts() >= 25 * 3);
  check_cluster(c, outcomes, 3000);
  expect_flowing(c);
  c.stop_all();
  check_critical_sections(c);
}
