// End to end: bank-node's edges: exit 2 with one clear line for a bad
// config, an unknown id or a busy port; SIGTERM and SIGINT stop it with exit 0.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;

namespace {
int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }
}  // namespace

TEST_CASE("e2e: bank-node refuses what it cannot run with exit 2 and one line") {
  ClusterHarness c(3);
  auto bad = c.dir() / "bad.yaml";
  std::ofstream(bad) << "initial_balance: 10.005\nnodes:\n  - id: 1\n    host: 127.0.0.1\n    port: 1\n    console: 2\n";
  auto r = ClusterHarness::run({BANK_NODE_BIN, "--config", bad.string(), "--id", "1"});
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("initial_balance") != std::string::npos);

  r = ClusterHarness::run({BANK_NODE_BIN, "--config", (c.dir() / "missing.yaml").string(), "--id", "1"});
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);

  r = ClusterHarness::run({BANK_NODE_BIN, "--config", c.config().string(), "--id", "7"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "bank-node: node 7 is not in " + c.config().string() + " (its nodes: 1, 2, 3)\n");

  r = ClusterHarness::run({BANK_NODE_BIN, "--config", c.config().string()});
  CHECK(r.exit_code == 2);

  c.start(1);
  c.wait_ready();
  r = ClusterHarness::run({BANK_NODE_BIN, "--config", c.config().string(), "--id", "1"});
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find(std::to_string(c.peer_port(1))) != std::string::npos);
  CHECK(c.stop(1, SIGTERM) == 0);
  c.start(1);
  c.wait_ready();
  CHECK(c.stop(1, SIGINT) == 0);
}

TEST_CASE("e2e: a node refused for a port in use changes nothing on disk: no data folder, no log file") {
  ClusterHarness c(3);
  // Something else holds node 2's console port before node 2 ever ran.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(c.console_port(2)));
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  const auto log = c.dir() / "node-2-refused.log";
  auto r = ClusterHarness::run({BANK_NODE_BIN, "--config", c.config().string(), "--id", "2", "--log", log.string()});
  ::close(fd);
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("console port") != std::string::npos);
  CHECK(r.err.find(std::to_string(c.console_port(2))) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(c.dir() / "data" / "node-2"));
  CHECK_FALSE(std::filesystem::exists(log));
}

TEST_CASE("e2e: a transfer that cannot get the mutual exclusion answers timeout naming the silent node") {
  ClusterHarness c(3, "acquire_timeout_ms: 800\n");
  c.start_all();
  c.wait_ready();
  c.stop(3, SIGKILL);
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}});
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(r);
  CHECK((*r)["status"] == "timeout");
  CHECK((*r)["error"].get<std::string>().find("node 3") != std::string::npos);
  CHECK(took < std::chrono::milliseconds(800 + 1000));
  CHECK(took >= std::chrono::milliseconds(700));
  // Withdrawn: node 2's queue no longer holds node 1's request, and nothing was appended.
  auto s = c.ask(2, {{"cmd", "status"}});
  REQUIRE(s);
  for (int i = 0; i < 50 && !(*s)["queue"].empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    s = c.ask(2, {{"cmd", "status"}});
  }
  CHECK((*s)["queue"].empty());
  CHECK((*s)["height"] == 0);
  auto b = c.ask(1, {{"cmd", "balance"}, {"id", 1}});
  CHECK((*b)["balance"] == 1000);
}

TEST_CASE("e2e: with a node known down a transfer answers timeout at once, saying it did not wait, and waits again once it is back") {
  ClusterHarness c(3);  // acquire_timeout_ms 5000, the default
  c.start_all();
  c.wait_ready();
  c.stop(3, SIGKILL);
  // Node 1 declares node 3 down after the failure-detection time (1.5 s of silence).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto peer3_down = [&] {
    auto s = c.ask(1, {{"cmd", "status"}});
    if (!s) return false;
    for (const auto& p : (*s)["peers"])
      if (p["id"] == 3) return p["connected"] == false;
    return false;
  };
  while (!peer3_down() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(peer3_down());
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}, {"txid", "while-3-is-down"}});
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(r);
  CHECK((*r)["status"] == "timeout");
  const std::string why = (*r)["error"];
  CHECK(why.find("did not wait") != std::string::npos);
  CHECK(why.find("node 3") != std::string::npos);
  CHECK(took < std::chrono::milliseconds(1000));  // not the 5 s timeout
  // Nothing was appended, and node 2's queue holds no request of node 1's.
  auto s = c.ask(2, {{"cmd", "status"}});
  REQUIRE(s);
  CHECK((*s)["queue"].empty());
  CHECK((*s)["height"] == 0);

  // Node 3 back: the same txid is a new attempt, and commits.
  c.start(3);
  c.wait_ready();
  r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}, {"txid", "while-3-is-down"}});
  REQUIRE(r);
  CHECK((*r)["status"] == "committed");
}

TEST_CASE("e2e: a clean stop is quick, logs stop, and tells the peers, who count the node down at once") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  auto t0 = std::chrono::steady_clock::now();
  CHECK(c.stop(3, SIGTERM) == 0);
  auto stop_took = std::chrono::steady_clock::now() - t0;
  CHECK(stop_took < std::chrono::milliseconds(1000));
  // Node 1 heard the bye: peer 3 is down well before 1.5 s of silence would have said so.
  auto peer3_down = [&] {
    for (const auto& e : c.log_events(1))
      if (e["event"] == "peer_down" && e["peer"] == 3) return e.value("reason", "") == "stopped";
    return false;
  };
  const auto deadline = t0 + std::chrono::milliseconds(1200);
  while (!peer3_down() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(peer3_down());
  auto events = c.log_events(3);
  REQUIRE_FALSE(events.empty());
  CHECK(events.back()["event"] == "stop");
  int byes = 0;
  for (const auto& e : events) byes += e["event"] == "send" && e.value("type", "") == "bye";
  CHECK(byes == 2);
  // And a transfer at node 1 now says at once that it did not wait.
  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}});
  REQUIRE(r);
  CHECK((*r)["status"] == "timeout");
  CHECK((*r)["error"].get<std::string>().find("did not wait") != std::string::npos);
}

TEST_CASE("e2e: a node of another config (another genesis) is refused, logged, and shown in status") {
  ClusterHarness c(3);
  c.start(1);
  c.start(2);
  std::string text;
  {
    std::ifstream in(c.config());
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  text.replace(text.find("initial_balance: 10.00"), 22, "initial_balance: 99.00");
  auto other = c.dir() / "other.yaml";
  std::ofstream(other) << text;
  c.start(3, other);
  std::optional<nlohmann::json> s;
  for (int i = 0; i < 100; ++i) {
    s = c.ask(1, {{"cmd", "status"}});
    if (s && (*s)["peers"][0]["connected"] == true && (*s)["peers"][1].contains("refused")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(s);
  CHECK((*s)["peers"][0] == nlohmann::json{{"id", 2}, {"connected", true}});
  CHECK((*s)["peers"][1]["id"] == 3);
  CHECK((*s)["peers"][1]["connected"] == false);
  CHECK((*s)["peers"][1]["refused"].get<std::string>().find("genesis") != std::string::npos);
  auto cli = ClusterHarness::run({BANK_CLI_BIN, "--config", c.config().string(), "--node", "1", "status"});
  CHECK(cli.out.find("3:refused") != std::string::npos);
  c.stop_all();
  bool logged = false;
  for (const auto& e : c.log_events(1))
    logged = logged || (e["event"] == "error" && e["error"].get<std::string>().find("genesis") != std::string::npos);
  CHECK(logged);
}

namespace {
// Listens on a port and answers every connection with bytes that are not ZMTP, then closes
// it: what a peer's DEALER meets when a peer's port is briefly someone else's.
class JunkServer {
 public:
  explicit JunkServer(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // not inherited by the nodes
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        const char junk[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        (void)!::write(c, junk, sizeof junk - 1);
        ::close(c);
        ++accepted_;
      }
    });
  }
  ~JunkServer() { close(); }
  void close() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int accepted() const { return accepted_; }

 private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};
}  // namespace

TEST_CASE("e2e: a peer port that first answered junk does not cut the link for good") {
  ClusterHarness c(2);
  JunkServer junk(c.peer_port(2));
  c.start(1);
  // Node 1 dials node 2's port and meets the junk, twice; once node 2 is there, the link must
  // come up (libzmq dials again after a failed handshake) and carry a transfer.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (junk.accepted() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(junk.accepted() >= 1);
  junk.close();
  c.start(2);
  c.wait_ready(std::chrono::seconds(15));
  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}});
  REQUIRE(r);
  CHECK((*r)["status"] == "committed");
}
