// End to end, a live compromised node: the real node 3 is stopped and the test speaks as
// node 3 with node 3's own keys (RoguePeer), so the other nodes' ZAP handlers admit it. It
// greets as a restarted node 3 would, then misbehaves: blocks nobody asked for, a flood of
// requests, no acks, a request it never releases, and a different signed block at one index
// for each honest node. Each test shows what is refused or bounded, what is left unchanged,
// that the honest nodes keep serving (and transfer again once the real node 3 is back), and
// what the node logs about it.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <stop_token>
#include <thread>

#include "cluster_checks.hpp"
#include "cluster_harness.hpp"
#include "rogue_peer.hpp"

using bank::e2e::ClusterHarness;
using bank::e2e::sha256_hex;
using bank::e2e::RoguePeer;
using nlohmann::json;

namespace {

json ask_ok(ClusterHarness& c, int id, const json& request) {
  auto r = c.ask(id, request);
  REQUIRE_MESSAGE(r, "node " << id << " did not answer " << request.dump());
  return *r;
}

json status(ClusterHarness& c, int id) { return ask_ok(c, id, {{"cmd", "status"}}); }

json transfer(ClusterHarness& c, int from, int to, long long amount) {
  return ask_ok(c, from, {{"cmd", "transfer"}, {"to", to}, {"amount", amount}});
}

std::string genesis_hash(ClusterHarness& c) {
  auto chain = ask_ok(c, 1, {{"cmd", "chain"}, {"limit", 1}});
  return chain["blocks"][0]["hash"].get<std::string>();
}

// A transfer block after `prev` at `index`, its hash over the canonical JSON (sorted keys, no
// hash, no sig), signed by `signer`: well-formed in every way a node checks on its own.
json signed_block(std::uint64_t index, const std::string& prev, const std::string& txid, int from, int to,
                  long long amount, const bank::NodeSecret& signer) {
  json b{{"index", index},
         {"prev", prev},
         {"tx", {{"txid", txid}, {"from", from}, {"to", to}, {"amount", amount}, {"lamport", 5}}}};
  b["hash"] = sha256_hex(b.dump());
  b["sig"] = signer.signer.sign_hash(b["hash"].get<std::string>());
  return b;
}

// Lines of `event` (error, warning: the field of the same name holds the text) in node
// `id`'s log that contain `part`.
std::size_t count_events(ClusterHarness& c, int id, const std::string& event, const std::string& part = "") {
  std::size_t n = 0;
  for (const auto& e : c.log_events(id))
    if (e.is_object() && e.value("event", "") == event && e.value(event, "").find(part) != std::string::npos) ++n;
  return n;
}

// Polls node `id`'s log until `at_least` lines of `event` contain `part` (bounded).
bool wait_logged(ClusterHarness& c, int id, const std::string& event, const std::string& part,
                 std::size_t at_least = 1, std::chrono::milliseconds bound = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (count_events(c, id, event, part) >= at_least) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The rogue keeps its links to `nodes` alive while the test does other things: a heartbeat
// every 200 ms, and (with `replies`) a reply to each new request, as an idle node would give.
// Stops and joins when it goes out of scope. The rogue is the thread's alone meanwhile.
std::jthread play_along(RoguePeer& rogue, std::vector<int> nodes, bool replies) {
  return std::jthread([&rogue, nodes, replies](std::stop_token stop) {
    std::map<int, std::uint64_t> answered;  // the last request seq answered, per node
    auto beat = std::chrono::steady_clock::now();
    while (!stop.stop_requested()) {
      for (const json& f : rogue.read(std::chrono::milliseconds(10))) {
        const int from = f.value("from", 0);
        const auto seq = f.value("seq", std::uint64_t{0});
        if (replies && f.value("type", "") == "request" && f.value("to_inc", std::uint64_t{0}) == rogue.incarnation() &&
            seq > answered[from]) {
          answered[from] = seq;
          rogue.send(from, "reply", {{"req", f["req"]}, {"height", 0}});
        }
      }
      if (std::chrono::steady_clock::now() - beat >= std::chrono::milliseconds(200)) {
        for (int id : nodes) rogue.send_plain(id, "heartbeat", {{"height", 0}});
        beat = std::chrono::steady_clock::now();
      }
    }
  });
}

// Polls status at node `id` until `done` holds (bounded); returns the last status.
json wait_status(ClusterHarness& c, int id, const std::function<bool(const json&)>& done,
                 std::chrono::milliseconds bound = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    json s = status(c, id);
    if (done(s) || std::chrono::steady_clock::now() >= deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool chain_holds_txid(ClusterHarness& c, int id, const std::string& txid) {
  const json chain = ask_ok(c, id, {{"cmd", "chain"}});
  REQUIRE(chain["blocks"].size() > 0);
  for (const auto& b : chain["blocks"])
    if (b.contains("tx") && b["tx"]["txid"] == txid) return true;
  return false;
}

}  // namespace

TEST_CASE("e2e rogue: a block frame nobody asked for, even validly signed, appends nothing") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  REQUIRE(transfer(c, 1, 2, 100)["status"] == "committed");
  c.wait_same_height();
  const json before = status(c, 1);
  const auto height = before["height"].get<std::uint64_t>();
  const auto head = before["head"].get<std::string>();

  c.stop(3);
  RoguePeer rogue(c, 3, genesis_hash(c));
  REQUIRE(rogue.greet(1, height, head));  // the chain node 1 holds: nothing to compare or fetch
  const bank::NodeSecret three = c.node_secret(3);
  // Node 3's own payment, which its key may sign, and one that debits account 2.
  const json own = signed_block(height + 1, head, "rogue-own", 3, 2, 500, three);
  const json theft = signed_block(height + 1, head, "rogue-theft", 2, 3, 500, three);
  for (const json& b : {own, theft})
    REQUIRE(rogue.send(1, "block", {{"blocks", json::array({b})}, {"height", height + 1}, {"head", b["hash"]},
                                    {"from_index", height + 1}}));
  const std::string dropped = "node 3 sent blocks from index " + std::to_string(height + 1) + " that were not asked for";
  CHECK(wait_logged(c, 1, "error", dropped, 2));
  // Node 1 took both frames on the link (it acknowledges them) and appended neither.
  CHECK(rogue.wait_acked(1, 2));
  const json after = status(c, 1);
  CHECK(after["height"] == height);
  CHECK(after["head"] == head);
  CHECK(ask_ok(c, 1, {{"cmd", "balance"}, {"id", 2}})["balance"] == 1100);
  CHECK(ask_ok(c, 1, {{"cmd", "verify"}})["ok"] == true);

  rogue.close();
  c.start(3);
  c.wait_ready();
  CHECK(transfer(c, 1, 2, 100)["status"] == "committed");
  CHECK(transfer(c, 2, 1, 50)["status"] == "committed");
  CHECK(c.wait_same_height() == height + 2);
  for (int id : {1, 2, 3}) {
    CHECK_FALSE(chain_holds_txid(c, id, "rogue-own"));
    CHECK_FALSE(chain_holds_txid(c, id, "rogue-theft"));
  }
}

TEST_CASE("e2e rogue: a flood of 25,000 requests leaves node 1 one of them, its memory small, its log a few error lines, and serving") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  c.stop(3);
  RoguePeer rogue(c, 3, genesis_hash(c));
  REQUIRE(rogue.greet(1));
  // Each a new request in node 3's name, never released. Node 1 answers each with a reply
  // (it has no request of its own out), which the rogue acknowledges as a node would, in
  // rounds of 500 whose replies it has before it sends the next: so node 1 takes every one.
  // (A sender that runs further ahead of the replies leaves node 1 more than 4,096 of them
  // unacknowledged: its link to node 3 starts over, as LinkSession's bound says, and the
  // rest, addressed to the old link, are dropped.)
  const auto started = std::chrono::steady_clock::now();
  const int flood = 25000;
  int unsent = 0, unanswered = 0, no_status = 0;
  for (int i = 1; i <= flood; ++i) {
    if (!rogue.send(1, "request", {{"req", {{"node", 3}, {"ts", 1000 + i}}}, {"height", 0}})) ++unsent;
    if (i % 500 == 0 && !rogue.wait_received(1, i)) ++unanswered;
    if (i % 5000 == 0 && !c.ask(1, {{"cmd", "status"}}, std::chrono::seconds(5))) ++no_status;
  }
  CHECK(unsent == 0);
  CHECK(unanswered == 0);  // node 1 took every one of them
  CHECK(no_status == 0);   // and answered status in the middle of the flood

  // One request per peer: node 1 holds only the newest of node 3's.
  std::vector<json> of_3;
  const json queued = status(c, 1)["queue"];
  for (const auto& q : queued)
    if (q["node"] == 3) of_3.push_back(q);
  REQUIRE(of_3.size() == 1);
  CHECK(of_3[0]["ts"] == 1000 + flood);
  auto rss = c.peak_rss_kib(1);
  REQUIRE(rss);
  CHECK(*rss < 100 * 1024);  // before one request per peer, a flood like this took 388 MiB
  // Every voided request is counted in the log, in a line a second at most. (Each frame also
  // has its recv line, and each reply its send line: the log records every peer frame.)
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  const std::string voided = "node 3 sent ";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  long long counted = 0;
  std::size_t lines = 0;
  while (counted < flood - 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    counted = 0;
    lines = 0;
    for (const auto& e : c.log_events(1)) {
      const std::string text = e.value("error", "");
      if (e.value("event", "") != "error" || text.find("while an earlier one of its was unreleased") == std::string::npos)
        continue;
      ++lines;
      counted += std::stoll(text.substr(voided.size()));
    }
  }
  CHECK(counted == flood - 1);
  CHECK(lines >= 1);
  // The first at once, one a second (the mutex's time is its once-a-second tick) and the
  // count left over: a few lines for 25,000 requests.
  CHECK(lines <= 3 + static_cast<std::size_t>(seconds.count()));
  CHECK(count_events(c, 1, "error", "starts over") == 0);  // node 1's link to node 3 never overflowed

  rogue.close();
  c.start(3);  // a new incarnation of node 3: its peers drop the old one's request
  c.wait_ready();
  CHECK(transfer(c, 1, 2, 100)["status"] == "committed");
  CHECK(transfer(c, 2, 1, 50)["status"] == "committed");
  CHECK(c.wait_same_height() == 2);
}


TEST_CASE("e2e rogue: a node that replies but never acks costs node 1 a probe per resend interval, not its window, and node 1 keeps serving") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  c.stop(3);
  RoguePeer rogue(c, 3, genesis_hash(c));
  REQUIRE(rogue.greet(1));
  rogue.acks = false;  // every frame from now on says it received nothing
  const int transfers = 200;
  {
    auto play = play_along(rogue, {1}, true);
    int committed = 0;
    for (int i = 0; i < transfers; ++i) committed += transfer(c, 1, 2, 1)["status"] == "committed";
    CHECK(committed == transfers);  // a reply is all node 1 needs of node 3 to enter
    // Node 1 now holds 400 frames for node 3 (a request and a release per transfer), and
    // node 3 acknowledges none. Two idle seconds: node 1 probes with the oldest frame, once
    // per resend interval; the whole window every 200 ms was 4,000 frames and log lines.
    const auto from = c.log_events(1).size();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const auto events = c.log_events(1);
    std::size_t resent = 0;
    std::set<std::uint64_t> seqs;
    for (std::size_t i = from; i < events.size(); ++i) {
      const json& e = events[i];
      if (e.value("event", "") != "send" || e.value("peer", 0) != 3 || e["msg"].value("seq", 0) == 0) continue;
      ++resent;
      seqs.insert(e["msg"]["seq"].get<std::uint64_t>());
    }
    CHECK(resent >= 1);   // one every 200 ms: about ten
    CHECK(resent <= 15);
    CHECK(seqs == std::set<std::uint64_t>{1});  // node 1's first request to it, the oldest
    CHECK(events.size() - from < 200);           // the whole log, heartbeats and all
    CHECK(status(c, 2)["height"] == transfers);
  }
  auto rss = c.peak_rss_kib(1);
  REQUIRE(rss);
  CHECK(*rss < 100 * 1024);

  rogue.close();
  c.start(3);  // the real node 3, a new incarnation: node 1 drops what the old one never acked
  CHECK(c.wait_same_height() == transfers);
  CHECK(transfer(c, 1, 2, 1)["status"] == "committed");
  CHECK(transfer(c, 3, 1, 1)["status"] == "committed");
  CHECK(c.wait_same_height() == transfers + 2);
}

TEST_CASE("e2e rogue: a request never released stalls transfers (not defended) - they answer timeout, reads work, nothing is appended, a restarted node 3 ends it") {
  ClusterHarness c(3, "acquire_timeout_ms: 1000\n");
  c.start_all();
  c.wait_ready();
  REQUIRE(transfer(c, 1, 2, 100)["status"] == "committed");
  const auto height = c.wait_same_height();
  const auto head = status(c, 1)["head"].get<std::string>();
  c.stop(3);
  RoguePeer rogue(c, 3, genesis_hash(c));
  REQUIRE(rogue.greet(1, height, head));
  REQUIRE(rogue.greet(2, height, head));
  const json req{{"node", 3}, {"ts", rogue.lamport()}};
  for (int id : {1, 2}) REQUIRE(rogue.send(id, "request", {{"req", req}, {"height", height}}));
  for (int id : {1, 2}) {
    auto s = wait_status(c, id, [&](const json& st) { return !st["queue"].empty(); });
    REQUIRE(s["queue"].size() == 1);
    CHECK(s["queue"][0] == req);
  }
  {
    auto play = play_along(rogue, {1, 2}, false);  // alive and connected, and never releasing
    for (int id : {1, 2}) {
      const auto t0 = std::chrono::steady_clock::now();
      json r = transfer(c, id, 3 - id, 10);
      const auto took = std::chrono::steady_clock::now() - t0;
      CHECK(r["status"] == "timeout");
      CHECK(r["error"] == "no answer in time from node 3");
      CHECK(took < std::chrono::seconds(8));  // acquire_timeout_ms (1 s), and room for a loaded machine: no hang
    }
    for (const json& read : {json{{"cmd", "balance"}}, json{{"cmd", "chain"}}, json{{"cmd", "verify"}}})
      CHECK(ask_ok(c, 1, read)["ok"] == true);
    for (int id : {1, 2}) {
      json s = status(c, id);
      CHECK(s["height"] == height);  // nothing appended
      CHECK(s["queue"][0] == req);  // node 3's request heads it (withdrawals wait behind it)
    }
  }
  rogue.close();
  c.start(3);  // a new incarnation of node 3: its peers drop the old one's request
  c.wait_ready();
  CHECK(transfer(c, 1, 2, 100)["status"] == "committed");
  CHECK(transfer(c, 2, 1, 50)["status"] == "committed");
  CHECK(c.wait_same_height() == height + 2);
}

TEST_CASE("e2e rogue: a live fork - node 3 gives nodes 1 and 2 different signed blocks at one index - is found at the first comparison and never built on by the finder") {
  // Long enough for the rogue's reply on a loaded machine (node 1's first transfer needs it),
  // short enough for the timeout this test waits for.
  ClusterHarness c(3, "acquire_timeout_ms: 4000\n");
  c.start_all();
  c.wait_ready();
  const std::string genesis = genesis_hash(c);
  c.stop(3);
  RoguePeer rogue(c, 3, genesis);
  REQUIRE(rogue.greet(1));
  REQUIRE(rogue.greet(2));
  // Node 3 takes the critical section at both nodes and releases it with a block spending its
  // own account, signed with its own key (no node can refuse it), but not the same block.
  const bank::NodeSecret three = c.node_secret(3);
  const json a = signed_block(1, genesis, "fork-a", 3, 1, 100, three);
  const json b = signed_block(1, genesis, "fork-b", 3, 2, 200, three);
  const json req{{"node", 3}, {"ts", rogue.lamport()}};
  for (int id : {1, 2}) {
    REQUIRE(rogue.send(id, "request", {{"req", req}, {"height", 0}}));
    REQUIRE(rogue.send(id, "release", {{"req", req}, {"blocks", json::array({id == 1 ? a : b})}}));
  }
  // Each node accepted the block it was given, and holds nothing of the other branch.
  CHECK(wait_status(c, 1, [](const json& s) { return s["height"] == 1; })["head"] == a["hash"]);
  CHECK(wait_status(c, 2, [](const json& s) { return s["height"] == 1; })["head"] == b["hash"]);
  CHECK(chain_holds_txid(c, 1, "fork-a"));
  CHECK_FALSE(chain_holds_txid(c, 1, "fork-b"));
  CHECK(chain_holds_txid(c, 2, "fork-b"));
  CHECK_FALSE(chain_holds_txid(c, 2, "fork-a"));
  {
    auto play = play_along(rogue, {1, 2}, true);  // node 3 goes on as an idle node would
    // Equal heights: nodes 1 and 2 have nothing to compare until one sends the other a block.
    // Node 1 cannot know: its next transfer commits onto its branch, and its release shows
    // node 2 a block 2 that does not link onto node 2's block 1.
    REQUIRE(transfer(c, 1, 2, 10)["status"] == "committed");
    json s2 = wait_status(c, 2, [](const json& s) { return s.contains("diverged"); });
    CHECK(s2["diverged"] == json::array({{{"index", 1}, {"peer", 1}}}));
    CHECK(s2["height"] == 1);  // node 1's block 2 was not appended
    json r = transfer(c, 2, 1, 10);
    CHECK(r["status"] == "rejected");
    CHECK(r["error"].get<std::string>().find("diverged from node 1's at index 1") != std::string::npos);
    // Node 2 cuts node 1 off and tells it nothing: node 1's next transfer waits for node 2.
    r = transfer(c, 1, 2, 10);
    CHECK(r["status"] == "timeout");
    CHECK(r["error"] == "no answer in time from node 2");
    CHECK(status(c, 1)["height"] == 2);
  }
  rogue.close();
  // The diverged line names the index and both hashes there (for a block that does not link
  // on, "theirs" is the prev it names).
  auto logged = [&](int id, int peer, const json& ours, const json& theirs) {
    for (const auto& e : c.log_events(id))
      if (e.value("event", "") == "diverged" && e["peer"] == peer && e["index"] == 1 && e["ours"] == ours &&
          e["theirs"] == theirs)
        return true;
    return false;
  };
  CHECK(logged(2, 1, b["hash"], a["hash"]));
  // Node 1 learns of it when node 2's hello reaches it: at its next start.
  c.stop(1);
  c.start(1);
  json s1 = wait_status(c, 1, [](const json& s) { return s.contains("diverged"); });
  CHECK(s1["diverged"] == json::array({{{"index", 1}, {"peer", 2}}}));
  CHECK(s1["height"] == 2);
  CHECK(logged(1, 2, a["hash"], b["hash"]));
  CHECK(transfer(c, 1, 2, 10)["status"] == "rejected");
  CHECK_FALSE(chain_holds_txid(c, 1, "fork-b"));
  CHECK_FALSE(chain_holds_txid(c, 2, "fork-a"));
}
