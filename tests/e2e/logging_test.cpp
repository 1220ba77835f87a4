// End to end: the log setting and log rotation, as an operator meets them: an idle node's
// log stays quiet by default, `log: all` shows link upkeep, and SIGHUP moves later lines to
// a fresh file after the old one was renamed (logrotate's postrotate).
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::vector<json> events_in(const fs::path& file) {
  std::ifstream in(file);
  std::vector<json> out;
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line, nullptr, false));
  return out;
}

int count_type(const std::vector<json>& events, const std::string& type) {
  int n = 0;
  for (const auto& e : events) n += (e["event"] == "send" || e["event"] == "recv") && e.value("type", "") == type;
  return n;
}

}  // namespace

TEST_CASE("e2e: with the default log setting an idle node writes under 200 bytes a second, and no heartbeat or ack") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 5}});
  REQUIRE(r);
  REQUIRE((*r)["status"] == "committed");
  c.wait_same_height();
  const fs::path log = c.dir() / "node-1.log";
  const auto before = fs::file_size(log);
  const auto idle = std::chrono::seconds(5);  // with `log: all`, 20 heartbeats a peer each way
  std::this_thread::sleep_for(idle);
  const auto after = fs::file_size(log);
  CHECK(static_cast<double>(after - before) / idle.count() < 200.0);
  auto events = c.log_events(1);
  CHECK(count_type(events, "heartbeat") == 0);  // 40 were sent
  CHECK(count_type(events, "ack") == 0);
  CHECK(count_type(events, "request") > 0);  // the protocol's messages are there
  CHECK(count_type(events, "release") > 0);
}

TEST_CASE("e2e: log all shows link upkeep too, and SIGHUP reopens the log file after a rename") {
  ClusterHarness c(3, "log: all\n");
  c.start_all();
  c.wait_ready();
  const fs::path log = c.dir() / "node-1.log";
  const fs::path rotated = c.dir() / "node-1.log.1";
  fs::rename(log, rotated);
  REQUIRE(c.signal(1, SIGHUP));
  // The node writes its next lines to a new file by that name: with `log: all`, idle links'
  // heartbeats (every 250 ms) among them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (count_type(events_in(log), "heartbeat") == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(count_type(events_in(log), "heartbeat") > 0);
  CHECK(c.running(1));
  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 5}, {"txid", "after-rotation"}});
  REQUIRE(r);
  CHECK((*r)["status"] == "committed");
  c.stop_all();

  auto old_lines = events_in(rotated);
  auto new_lines = events_in(log);
  REQUIRE_FALSE(old_lines.empty());
  CHECK(old_lines.front()["event"] == "start");
  auto is_commit = [](const json& e) { return e["event"] == "commit" && e["txid"] == "after-rotation"; };
  CHECK(std::count_if(new_lines.begin(), new_lines.end(), is_commit) == 1);
  CHECK(std::count_if(old_lines.begin(), old_lines.end(), is_commit) == 0);
  for (const auto& e : new_lines) CHECK_FALSE(e.is_discarded());  // every line whole
}
