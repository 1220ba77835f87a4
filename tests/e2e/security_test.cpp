// End to end, security on (the default): strangers get no answer, other clients only read,
// a node's key cannot speak for another node, and a rewritten history does not start.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include <zmq_addon.hpp>

#include "cluster_checks.hpp"
#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;
using bank::e2e::sha256_hex;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr std::chrono::milliseconds kNoAnswerWait{1500};

std::size_t chain_length(ClusterHarness& c, int id) {
  auto chain = c.ask(id, {{"cmd", "chain"}});
  REQUIRE(chain);
  return (*chain)["blocks"].size();
}

std::vector<std::string> errors_of(ClusterHarness& c, int id) {
  std::vector<std::string> errors;
  for (const auto& e : c.log_events(id))
    if (e["event"] == "error") errors.push_back(e["error"].get<std::string>());
  return errors;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& l : lines)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("e2e security: a console with no key or an unknown key gets no answer, nothing changes, and the refusals are logged") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  const json spend{{"cmd", "transfer"}, {"to", 3}, {"amount", 1000}};
  CHECK_FALSE(c.ask_with(1, std::nullopt, spend, kNoAnswerWait));  // a plain REQ socket, as before security
  {
    // A plain DEALER at the peer port, with a release in node 2's name: refused in the handshake.
    zmq::context_t ctx(1);
    zmq::socket_t plain(ctx, zmq::socket_type::dealer);
    plain.set(zmq::sockopt::linger, 0);
    plain.connect("tcp://127.0.0.1:" + std::to_string(c.peer_port(1)));
    const std::string release =
        "{\"type\":\"release\",\"from\":2,\"lamport\":9,\"inc\":1,\"to_inc\":1,\"seq\":1,\"ack\":0,"
        "\"req\":{\"ts\":1,\"node\":2},\"blocks\":[]}";
    plain.send(zmq::buffer(release), zmq::send_flags::dontwait);
    zmq::pollitem_t item{plain.handle(), 0, ZMQ_POLLIN, 0};
    CHECK(zmq::poll(&item, 1, kNoAnswerWait) == 0);
  }
  bank::ConsoleKeys stranger;
  crypto_box_keypair(stranger.client.public_key.data(), stranger.client.secret_key.data());
  stranger.server = c.node_secret(1).curve.public_key;
  CHECK_FALSE(c.ask_with(1, stranger, spend, kNoAnswerWait));
  CHECK_FALSE(c.ask_with(1, stranger, {{"cmd", "balance"}}, kNoAnswerWait));
  // A node's own key is no console key either.
  bank::ConsoleKeys node_key{c.node_secret(2).curve, c.node_secret(1).curve.public_key};
  CHECK_FALSE(c.ask_with(1, node_key, {{"cmd", "balance"}}, kNoAnswerWait));

  CHECK(chain_length(c, 1) == 1);
  auto balance = c.ask(1, {{"cmd", "balance"}, {"id", 1}});
  REQUIRE(balance);
  CHECK((*balance)["balance"] == 1000);
  c.stop_all();
  const auto errors = errors_of(c, 1);
  CHECK(any_contains(errors, "key this node does not know"));
  // The plain clients never reached ZAP: libzmq refused them, and the node logs that.
  for (const std::string port : {"console port", "peer port"})
    CHECK_MESSAGE(any_contains(errors, "connection(s) on the " + port + " failed the ZeroMQ handshake"), port);
  for (const auto& e : errors) CHECK(e.find("node 2") == std::string::npos);  // the release never got in
}

TEST_CASE("e2e security: another client's key reads at a node but cannot move its money") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  auto denied = c.ask_as(1, 2, {{"cmd", "transfer"}, {"to", 2}, {"amount", 500}});
  REQUIRE(denied);
  CHECK((*denied)["ok"] == false);
  CHECK((*denied)["status"] == "denied");
  CHECK((*denied)["error"].get<std::string>().find("may only read") != std::string::npos);
  for (const json& read : {json{{"cmd", "balance"}}, json{{"cmd", "status"}}, json{{"cmd", "chain"}}, json{{"cmd", "verify"}}}) {
    auto r = c.ask_as(1, 3, read);
    REQUIRE(r);
    CHECK_MESSAGE((*r)["ok"] == true, read.dump());
  }
  CHECK(chain_length(c, 1) == 1);
  auto owner = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 500}});
  REQUIRE(owner);
  CHECK((*owner)["status"] == "committed");
  CHECK((*owner)["block"]["sig"].get<std::string>().size() == 128);  // a batch of one: signed
  c.stop_all();
  CHECK(any_contains(errors_of(c, 1), "denied: client 2 may only read at node 1"));
}

TEST_CASE("e2e security: a node's key cannot speak for another node, and junk from a known node is refused") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  zmq::context_t ctx(1);
  {
    // Node 3's files are stolen: its key connects to node 1 and claims to be node 2.
    zmq::socket_t fake = c.peer_dealer(ctx, 3, 1);
    const std::string blocks_from_2 =
        "{\"type\":\"release\",\"from\":2,\"lamport\":999,\"inc\":1,\"to_inc\":1,\"seq\":1,\"ack\":0,"
        "\"req\":{\"ts\":1,\"node\":2},\"blocks\":[]}";
    for (const std::string& frame : {blocks_from_2, std::string("garbage"), std::string("{\"type\":\"request\"}")})
      fake.send(zmq::buffer(frame), zmq::send_flags::none);
    // Open until node 1 has them: a close would drop frames still waiting for the handshake,
    // which on a loaded machine can outlast the socket's linger.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!(any_contains(errors_of(c, 1), "claiming to be from node 2 that came with node 3's key") &&
             any_contains(errors_of(c, 1), "bad peer frame")) &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto errors = errors_of(c, 1);
  CHECK(any_contains(errors, "claiming to be from node 2 that came with node 3's key"));
  CHECK(any_contains(errors, "bad peer frame"));
  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 1}});
  REQUIRE(r);
  CHECK((*r)["status"] == "committed");
  c.wait_same_height();
}

TEST_CASE("e2e security: a history rewritten with good hashes fails at start-up, naming the block, and is left as it was") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  for (int k = 0; k < 3; ++k) {
    auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}});
    REQUIRE(r);
    REQUIRE((*r)["status"] == "committed");
  }
  c.wait_same_height();
  c.stop_all();
  // Whoever holds node 1's files turns its first payment from 1 to 2 into one from 3 to 1,
  // then recomputes every hash and link so that the chain checks out without signatures.
  const fs::path blocks = c.dir() / "data" / "node-1" / "blocks.jsonl";
  std::istringstream lines(slurp(blocks));
  std::string line, rewritten, prev;
  for (int i = 0; std::getline(lines, line); ++i) {
    json b = json::parse(line);
    if (i == 1) {
      b["tx"]["from"] = 3;
      b["tx"]["to"] = 1;
    }
    if (i > 0) b["prev"] = prev;
    json canonical = b;
    canonical.erase("hash");
    canonical.erase("sig");
    b["hash"] = prev = sha256_hex(canonical.dump());
    rewritten += b.dump() + "\n";
  }
  std::ofstream(blocks, std::ios::trunc | std::ios::binary) << rewritten;
  auto run = ClusterHarness::run({BANK_NODE_BIN, "--config", c.config().string(), "--id", "1"});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("block 1") != std::string::npos);
  CHECK(run.err.find("signature") != std::string::npos);
  CHECK(slurp(blocks) == rewritten);
}

TEST_CASE("e2e security: a pyzmq client with the key files transfers, as docs/security.md shows") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  const fs::path script = fs::path(__FILE__).parent_path() / "pyzmq_console.py";
  auto r = ClusterHarness::run({"/usr/bin/python3", script.string(), (c.dir() / "keys").string(), "1",
                                std::to_string(c.console_port(1)), R"({"cmd":"transfer","to":2,"amount":400})"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto reply = json::parse(r.out);
  CHECK(reply["status"] == "committed");
  CHECK(reply["block"]["tx"]["amount"] == 400);
  c.wait_same_height();
  auto balance = c.ask(3, {{"cmd", "balance"}, {"id", 2}});
  REQUIRE(balance);
  CHECK((*balance)["balance"] == 1400);  // node 3 holds the same block
}

TEST_CASE("e2e security: bank-keys makes each file once (secrets 0600), and a node without its key file stops before touching its data") {
  ClusterHarness c(3);  // its keys are made already, by the same code bank-keys runs
  const fs::path keys = c.dir() / "keys";
  fs::remove_all(keys);
  auto first = ClusterHarness::run({BANK_KEYS_BIN, "--config", c.config().string()});
  CHECK(first.exit_code == 0);
  CHECK(std::count(first.out.begin(), first.out.end(), '\n') == 12);  // 4 files for each of 3 nodes
  const auto secret_mode = fs::status(keys / "node-2.secret").permissions() & fs::perms::all;
  const auto folder_mode = fs::status(keys).permissions() & fs::perms::all;
  CHECK(secret_mode == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(folder_mode == fs::perms::owner_all);
  const std::string secret = slurp(keys / "node-2.secret");
  auto second = ClusterHarness::run({BANK_KEYS_BIN, "--config", c.config().string()});
  CHECK(second.exit_code == 0);
  CHECK(second.out.empty());
  CHECK(slurp(keys / "node-2.secret") == secret);
  auto bad = ClusterHarness::run({BANK_KEYS_BIN, "--config", (c.dir() / "missing.yaml").string()});
  CHECK(bad.exit_code == 2);

  fs::remove(keys / "node-3.public");
  auto node = ClusterHarness::run({BANK_NODE_BIN, "--config", c.config().string(), "--id", "1"});
  CHECK(node.exit_code == 2);
  CHECK(node.err.find("node-3.public") != std::string::npos);
  CHECK_FALSE(fs::exists(c.dir() / "data" / "node-1"));  // nothing on disk was made
}

TEST_CASE("e2e security: a block debiting another account, signed by the wrong key or with a forged signature, is refused at start-up") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  auto r = c.ask(3, {{"cmd", "transfer"}, {"to", 1}, {"amount", 100}});
  REQUIRE(r);
  REQUIRE((*r)["status"] == "committed");
  c.wait_same_height();
  c.stop_all();
  // Node 3 is compromised (its files and its key): it appends a payment from account 2 to
  // itself, signed with its own key, then with a made-up signature.
  const fs::path blocks = c.dir() / "data" / "node-3" / "blocks.jsonl";
  const std::string good = slurp(blocks);
  const json head = json::parse(good.substr(good.rfind('\n', good.size() - 2) + 1));
  json forged{{"index", head["index"].get<int>() + 1},
              {"prev", head["hash"]},
              {"tx", {{"txid", "steal-1"}, {"from", 2}, {"to", 3}, {"amount", 500}, {"lamport", 99}}}};
  forged["hash"] = sha256_hex(forged.dump());
  const bank::NodeSecret three = c.node_secret(3);
  for (const std::string& sig : {three.signer.sign_hash(forged["hash"].get<std::string>()), std::string(128, 'a')}) {
    json b = forged;
    b["sig"] = sig;
    const std::string text = good + b.dump() + "\n";
    std::ofstream(blocks, std::ios::trunc | std::ios::binary) << text;
    auto run = ClusterHarness::run({BANK_NODE_BIN, "--config", c.config().string(), "--id", "3"});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("block " + std::to_string(forged["index"].get<int>())) != std::string::npos);
    CHECK(run.err.find("not its payer's (node 2)") != std::string::npos);
    CHECK(slurp(blocks) == text);
  }
}

TEST_CASE("e2e security: a compromised node's wire attacks are refused: stamps near 2^64, an incarnation of 2^64-1, a 30 MB frame, idle connections") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  zmq::context_t ctx(1);
  {
    zmq::socket_t rogue = c.peer_dealer(ctx, 3, 1, 2000);  // time to send the 30 MB frame
    const std::string near_wrap = "18446744073709551000";
    const std::string request = R"({"ack":0,"from":3,"height":0,"inc":1,"lamport":)" + near_wrap +
                                R"(,"req":{"node":3,"ts":)" + near_wrap + R"(},"seq":1,"to_inc":1,"type":"request"})";
    const std::string hello = R"({"ack":0,"from":3,"genesis":")" + std::string(64, '0') + R"(","head":")" +
                              std::string(64, '0') + R"(","height":0,"inc":18446744073709551615,"lamport":1,"seq":0,"to_inc":0,"type":"hello"})";
    for (const std::string& frame : {request, hello, std::string(30 << 20, 'x')})
      rogue.send(zmq::buffer(frame), zmq::send_flags::none);
  }
  // Idle TCP connections to the console and peer ports: they never finish a handshake.
  std::vector<int> idle;
  for (int k = 0; k < 400; ++k)
    for (int port : {c.console_port(1), c.peer_port(1)}) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<std::uint16_t>(port));
      if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) idle.push_back(fd);
    }
  CHECK(idle.size() == 800);
  // The node still serves, with the real node 3 in the critical section's round.
  for (int k = 0; k < 5; ++k) {
    auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 3}, {"amount", 10}});
    REQUIRE(r);
    CHECK((*r)["status"] == "committed");
  }
  auto s = c.ask(1, {{"cmd", "status"}});
  REQUIRE(s);
  CHECK((*s)["lamport"].get<std::uint64_t>() < (std::uint64_t{1} << 53));
  for (const auto& p : (*s)["peers"]) CHECK(p["connected"] == true);
  auto rss = c.peak_rss_kib(1);
  REQUIRE(rss);
  CHECK(*rss < 100 * 1024);  // the 30 MB frame was never taken in
  for (int fd : idle) ::close(fd);
  c.wait_same_height();
  c.stop_all();
  auto errors = errors_of(c, 1);
  CHECK(std::count_if(errors.begin(), errors.end(),
                      [](const std::string& e) { return e.find("bad peer frame") != std::string::npos; }) >= 2);
}
