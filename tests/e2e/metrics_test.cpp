// End to end: a node's metrics and its event feed after known transfers on three real
// nodes. The counts are what happened, every histogram of entries counts every entry, and
// the feed holds the protocol as the node's log does: entries and exits in pairs, a commit
// per block, each message one node sent received by the other, page by page.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;
using nlohmann::json;

namespace {

json ask_ok(ClusterHarness& c, int id, const json& request) {
  auto r = c.ask(id, request);
  REQUIRE_MESSAGE(r, "no reply to " << request.dump());
  REQUIRE_MESSAGE((*r)["ok"] == true, request.dump() << " -> " << r->dump());
  return *r;
}

// Polls `holds` every 20 ms until it is true or `bound` has passed; its last answer.
template <class F>
bool eventually(F holds, std::chrono::milliseconds bound = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + bound;
  while (!holds()) {
    if (std::chrono::steady_clock::now() > end) return holds();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The transfers every test here runs, one after another. Node 1: three committed, one
// aborted for funds, one rejected (to itself), one denied (another client's key); node 2:
// two committed. Five blocks in all; node 1 enters four times, node 2 twice.
struct Run {
  std::vector<std::string> node1_committed{"m-1", "m-2", "m-3"};
  std::string node1_aborted = "m-poor";
  std::vector<std::string> node2_committed{"n-1", "n-2"};
};

Run run_transfers(ClusterHarness& c) {
  Run run;
  for (const auto& txid : run.node1_committed) {
    auto r = ask_ok(c, 1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}, {"txid", txid}});
    CHECK(r["status"] == "committed");
  }
  auto poor = c.ask(1, {{"cmd", "transfer"}, {"to", 3}, {"amount", 100000}, {"txid", run.node1_aborted}});
  REQUIRE(poor);
  CHECK((*poor)["status"] == "aborted");
  auto self = c.ask(1, {{"cmd", "transfer"}, {"to", 1}, {"amount", 100}});
  REQUIRE(self);
  CHECK((*self)["status"] == "rejected");
  auto other = c.ask_as(1, 2, {{"cmd", "transfer"}, {"to", 3}, {"amount", 100}});
  REQUIRE(other);
  CHECK((*other)["status"] == "denied");
  for (const auto& txid : run.node2_committed) {
    auto r = ask_ok(c, 2, {{"cmd", "transfer"}, {"to", 3}, {"amount", 50}, {"txid", txid}});
    CHECK(r["status"] == "committed");
  }
  REQUIRE(c.wait_same_height() == 5);
  return run;
}

std::uint64_t counter(const json& m, const char* name) { return m["metrics"]["counters"][name].get<std::uint64_t>(); }
std::uint64_t gauge(const json& m, const char* name) { return m["metrics"]["gauges"][name].get<std::uint64_t>(); }
const json& histogram(const json& m, const char* name) { return m["metrics"]["histograms"][name]; }

// A histogram as documented: one count more than bounds, bounds rising, counts adding up.
void check_shape(const json& h, const std::string& name) {
  INFO("histogram " << name << ": " << h.dump());
  REQUIRE(h["counts"].size() == h["bounds"].size() + 1);
  std::uint64_t total = 0;
  for (const auto& n : h["counts"]) total += n.get<std::uint64_t>();
  CHECK(total == h["count"].get<std::uint64_t>());
  for (std::size_t i = 1; i < h["bounds"].size(); ++i) CHECK(h["bounds"][i] > h["bounds"][i - 1]);
}

// Every event node `id` keeps, asked for `limit` at a time, following next; checks each page.
std::vector<json> all_events(ClusterHarness& c, int id, std::uint64_t limit) {
  std::vector<json> events;
  std::uint64_t since = 0;
  for (;;) {
    json page = ask_ok(c, id, {{"cmd", "events"}, {"since", since}, {"limit", limit}});
    CHECK(page["first"] == 1);  // nothing dropped in so short a run
    if (page["events"].empty()) {
      CHECK(page["next"] == since);
      return events;
    }
    CHECK(page["events"].size() <= limit);
    CHECK(page["events"].front()["seq"] == since + 1);
    CHECK(page["next"] == page["events"].back()["seq"]);
    for (const auto& e : page["events"]) events.push_back(e);
    since = page["next"];
  }
}

std::vector<json> of_kind(const std::vector<json>& events, const std::string& kind) {
  std::vector<json> out;
  for (const auto& e : events)
    if (e["event"] == kind) out.push_back(e);
  return out;
}

// What the feed keeps, restated from its documentation: the protocol's events, and send and
// recv of the mutex's messages.
bool kept(const json& line) {
  static const std::set<std::string> always{"cs_enter", "cs_exit", "commit", "abort", "peer_up", "peer_down"};
  const std::string event = line.value("event", "");
  if (event == "send" || event == "recv") {
    const std::string type = line.value("type", "");
    return type == "request" || type == "reply" || type == "release";
  }
  return always.contains(event);
}

// A message's identity on the wire: sender, receiver, the sender's incarnation and seq.
using MessageKey = std::tuple<int, int, std::uint64_t, std::uint64_t, std::string>;

MessageKey key_of(const json& e) {
  const json& msg = e["msg"];
  const int from = msg["from"].get<int>();
  const int to = e["event"] == "send" ? e["peer"].get<int>() : e["node"].get<int>();
  return {from, to, msg["inc"].get<std::uint64_t>(), msg["seq"].get<std::uint64_t>(), msg["type"].get<std::string>()};
}

}  // namespace

TEST_CASE("e2e: metrics count what a run did, and every histogram of entries counts every entry") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  run_transfers(c);

  // Another client's key may read them: a read-only command.
  json m1 = *c.ask_as(1, 3, {{"cmd", "metrics"}});
  REQUIRE(m1["ok"] == true);
  CHECK(m1["node"] == 1);
  CHECK(counter(m1, "transfers_committed") == 3);
  CHECK(counter(m1, "transfers_aborted") == 1);
  CHECK(counter(m1, "transfers_timed_out") == 0);
  CHECK(counter(m1, "requests_rejected") == 1);
  CHECK(counter(m1, "requests_denied") == 1);
  CHECK(counter(m1, "cs_requests") == 4);
  CHECK(counter(m1, "cs_entries") == 4);
  CHECK(counter(m1, "cs_withdrawals") == 0);
  CHECK(gauge(m1, "height") == 5);
  CHECK(gauge(m1, "pending_transfers") == 0);
  CHECK(gauge(m1, "queue_depth_max") >= 1);
  for (const auto& [name, h] : m1["metrics"]["histograms"].items()) check_shape(h, name);
  // One wait, one hold and one batch size per entry; the batches add up to what committed.
  for (const char* per_entry : {"cs_wait_us", "cs_hold_us", "transfers_per_entry"})
    CHECK_MESSAGE(histogram(m1, per_entry)["count"] == 4, per_entry);
  CHECK(histogram(m1, "transfers_per_entry")["sum"] == 3);
  CHECK(histogram(m1, "transfer_us")["count"] == 4);  // committed and aborted
  CHECK(histogram(m1, "fsync_us")["count"].get<std::uint64_t>() >= 4);  // one sync at least per entry
  for (const char* peer : {"2", "3"}) {
    const json& p = m1["metrics"]["peers"][peer];
    INFO("peer " << peer << ": " << p.dump());
    CHECK(p["gauges"]["up"] == 1);
    CHECK(p["histograms"]["rtt_us"]["count"].get<std::uint64_t>() > 0);  // its acks came back
    check_shape(p["histograms"]["rtt_us"], "rtt_us");
    CHECK(p["counters"].contains("resends"));
    CHECK(p["counters"].contains("link_losses"));
  }

  json m2 = ask_ok(c, 2, {{"cmd", "metrics"}});
  CHECK(counter(m2, "transfers_committed") == 2);
  CHECK(counter(m2, "cs_entries") == 2);
  CHECK(histogram(m2, "cs_wait_us")["count"] == 2);
  CHECK(histogram(m2, "transfers_per_entry")["sum"] == 2);
  json m3 = ask_ok(c, 3, {{"cmd", "metrics"}});
  CHECK(counter(m3, "cs_entries") == 0);
  CHECK(histogram(m3, "cs_wait_us")["count"] == 0);
  CHECK(gauge(m3, "height") == 5);

  // The block log's bytes are its files' (peers' blocks are written within a tick).
  const auto data = c.dir() / "data" / "node-1";
  auto files = [&] {
    return std::filesystem::file_size(data / "blocks.jsonl") + std::filesystem::file_size(data / "aborts.jsonl");
  };
  CHECK(eventually([&] { return counter(ask_ok(c, 1, {{"cmd", "metrics"}}), "block_log_bytes") == files(); }));
  const std::uint64_t log_bytes = counter(ask_ok(c, 1, {{"cmd", "metrics"}}), "log_bytes");
  c.stop_all();
  CHECK(log_bytes > 0);
  CHECK(log_bytes <= std::filesystem::file_size(c.dir() / "node-1.log"));
}

TEST_CASE("e2e: the event feed holds each node's protocol as its log does, and pages by since and limit") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  const Run run = run_transfers(c);

  // Node 1 left four entries; their exits (and node 2's receipt of the last release) may
  // trail the replies by a moment with a thread per actor.
  REQUIRE(eventually([&] { return of_kind(all_events(c, 1, 1000), "cs_exit").size() == 4; }));
  REQUIRE(eventually([&] { return of_kind(all_events(c, 2, 1000), "cs_exit").size() == 2; }));
  const auto chain = ask_ok(c, 1, {{"cmd", "chain"}})["blocks"];
  REQUIRE(chain.size() == 6);

  std::map<int, std::vector<json>> feeds;
  for (int id : {1, 2, 3}) {
    auto events = all_events(c, id, 7);  // small pages: next and since followed many times
    INFO("node " << id);
    const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
    for (std::size_t i = 0; i < events.size(); ++i) {
      const json& e = events[i];
      INFO(e.dump());
      CHECK(e["seq"] == i + 1);
      CHECK(e["node"] == id);
      CHECK(std::regex_match(e["ts"].get<std::string>(), rfc3339));
      CHECK(e["lamport"].is_number_unsigned());
      CHECK(kept(e));
      if (i) CHECK(e["ts"].get<std::string>() >= events[i - 1]["ts"].get<std::string>());
      if (e["event"] == "send" || e["event"] == "recv") {
        CHECK(e["msg"]["type"] == e["type"]);
        if (e["type"] == "release") CHECK(e["msg"]["blocks"].is_number_unsigned());  // counted, not copied
      }
    }
    // Entries and exits in pairs, each exit naming its entry's request.
    std::optional<json> open;
    for (const auto& e : events) {
      if (e["event"] == "cs_enter") {
        CHECK_FALSE(open);
        open = e["req"];
      } else if (e["event"] == "cs_exit") {
        REQUIRE(open);
        CHECK(e["req"] == *open);
        open.reset();
      }
    }
    CHECK_FALSE(open);
    // A commit per block, in the chain's order, with its txid.
    auto commits = of_kind(events, "commit");
    REQUIRE(commits.size() == 5);
    for (std::size_t i = 0; i < commits.size(); ++i) {
      const json& tx = chain[i + 1]["tx"];
      CHECK(commits[i]["index"] == i + 1);
      CHECK(commits[i]["txid"] == tx["txid"]);
      CHECK(commits[i]["from"] == tx["from"]);
      CHECK(commits[i]["to"] == tx["to"]);
      CHECK(commits[i]["amount"] == tx["amount"]);
    }
    CHECK(of_kind(events, "peer_up").size() >= 2);
    feeds[id] = std::move(events);
  }
  CHECK(of_kind(feeds[1], "cs_enter").size() == 4);
  CHECK(of_kind(feeds[2], "cs_enter").size() == 2);
  CHECK(of_kind(feeds[3], "cs_enter").empty());
  auto aborts = of_kind(feeds[1], "abort");
  REQUIRE(aborts.size() == 1);
  CHECK(aborts[0]["txid"] == run.node1_aborted);
  // Node 1's releases carry one block per committed transfer, none for the aborted one.
  std::vector<std::uint64_t> released;
  for (const auto& e : of_kind(feeds[1], "send"))
    if (e["type"] == "release" && e["peer"] == 2) released.push_back(e["msg"]["blocks"]);
  CHECK(released == std::vector<std::uint64_t>{1, 1, 1, 0});

  // Every message node 1 sent node 2 shows as received in node 2's feed, and back, matched
  // by sender, receiver, incarnation and seq.
  for (auto [a, b] : {std::pair{1, 2}, std::pair{2, 1}, std::pair{1, 3}}) {
    std::set<MessageKey> received;
    for (const auto& e : of_kind(feeds[b], "recv"))
      if (e["peer"] == a) received.insert(key_of(e));
    int sent = 0;
    for (const auto& e : of_kind(feeds[a], "send")) {
      if (e["peer"] != b) continue;
      ++sent;
      CHECK_MESSAGE(received.contains(key_of(e)), "node " << b << " never received " << e.dump());
    }
    CHECK(sent > 0);
  }

  // Paging: since and limit pick a window; next says where to go on; past the newest, nothing.
  json page = ask_ok(c, 1, {{"cmd", "events"}, {"since", 3}, {"limit", 2}});
  REQUIRE(page["events"].size() == 2);
  CHECK(page["events"][0] == feeds[1][3]);
  CHECK(page["events"][1] == feeds[1][4]);
  CHECK(page["next"] == 5);
  CHECK(page["first"] == 1);
  page = ask_ok(c, 1, {{"cmd", "events"}, {"since", 1'000'000'000}});
  CHECK(page["events"].empty());
  CHECK(page["next"] == 1'000'000'000);
  page = ask_ok(c, 1, {{"cmd", "events"}, {"limit", 5000}});  // above the page bound: a page of at most 1,000
  CHECK(page["events"].size() <= 1000);
  CHECK(page["events"][0] == feeds[1][0]);
  CHECK(ask_ok(c, 1, {{"cmd", "events"}})["events"][0] == feeds[1][0]);
  json other = *c.ask_as(1, 2, {{"cmd", "events"}, {"limit", 1}});
  CHECK(other["ok"] == true);  // any known client may read
  for (const json& bad : {json{{"cmd", "events"}, {"since", -1}}, json{{"cmd", "events"}, {"limit", 0}},
                          json{{"cmd", "events"}, {"limit", "10"}}, json{{"cmd", "events"}, {"from", 3}},
                          json{{"cmd", "metrics"}, {"peer", 2}}}) {
    auto r = c.ask(1, bad);
    REQUIRE(r);
    CHECK_MESSAGE((*r)["status"] == "rejected", bad.dump());
  }

  // bank-cli reads both for people, and --json gives the node's reply.
  auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{BANK_CLI_BIN, "--config", c.config().string(), "--node", "1"};
    argv.insert(argv.end(), args.begin(), args.end());
    return ClusterHarness::run(argv);
  };
  auto shown = cli({"metrics"});
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.find("cs_entries") != std::string::npos);
  CHECK(shown.out.find("cs_wait_us") != std::string::npos);
  CHECK(shown.out.find("node 2  up") != std::string::npos);
  shown = cli({"events", "--since", "3", "--limit", "2"});
  CHECK(shown.exit_code == 0);
  CHECK(std::count(shown.out.begin(), shown.out.end(), '\n') == 2);
  CHECK(shown.out.rfind("       4  ", 0) == 0);
  shown = cli({"--json", "events", "--limit", "3"});
  CHECK(shown.exit_code == 0);
  CHECK(json::parse(shown.out)["events"].size() == 3);

  // Each event is its log line: the same text but for seq, and a release's blocks counted.
  c.stop_all();
  for (int id : {1, 2, 3}) {
    std::vector<json> lines;
    for (const auto& l : c.log_events(id))
      if (kept(l)) lines.push_back(l);
    REQUIRE(lines.size() >= feeds[id].size());
    for (std::size_t i = 0; i < feeds[id].size(); ++i) {
      json e = feeds[id][i];
      json l = lines[i];
      e.erase("seq");
      if (l.contains("msg") && l["msg"].contains("blocks")) l["msg"]["blocks"] = l["msg"]["blocks"].size();
      CHECK_MESSAGE(e == l, "node " << id << " event " << i + 1);
    }
  }
}

TEST_CASE("e2e: with log none the file has no peer message, and the event feed still has them all") {
  ClusterHarness c(3, "log: none\n");
  c.start_all();
  c.wait_ready();
  ask_ok(c, 1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}});
  REQUIRE(eventually([&] { return of_kind(all_events(c, 1, 1000), "cs_exit").size() == 1; }));
  auto events = all_events(c, 1, 1000);
  std::set<std::string> sent;
  for (const auto& e : of_kind(events, "send")) sent.insert(e["type"].get<std::string>());
  CHECK(sent == std::set<std::string>{"request", "release"});
  CHECK_FALSE(of_kind(events, "recv").empty());
  c.stop_all();
  for (const auto& l : c.log_events(1)) CHECK(l["event"] != "send");
}
