// End to end: concurrent transfers on three real nodes leave identical, valid chains,
// balances equal to a replay, every reply honoured, and critical sections that never overlap.
#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;
using nlohmann::json;

namespace {

std::string sha256_hex(const std::string& s) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

struct Outcome {
  int node;
  json request;
  json reply;
};

// Checks one chain as the contract defines it, independently of the product's code: each
// hash is SHA-256 of the block's JSON without "hash" (sorted keys, no spaces), each prev is
// the hash before, and replaying the transfers never overdraws. Returns the final balances.
std::map<std::string, long long> replay(const json& blocks) {
  std::map<std::string, long long> bal;
  std::string prev(64, '0');
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    json b = blocks[i];
    CHECK(b["index"].get<std::size_t>() == i);
    CHECK(b["prev"] == prev);
    std::string hash = b["hash"];
    b.erase("hash");
    CHECK(sha256_hex(b.dump()) == hash);
    prev = hash;
    if (i == 0) {
      for (const auto& [id, c] : b["genesis"]["balances"].items()) bal[id] = c.get<long long>();
      continue;
    }
    const auto& tx = b["tx"];
    auto from = std::to_string(tx["from"].get<int>()), to = std::to_string(tx["to"].get<int>());
    long long amount = tx["amount"];
    CHECK(amount > 0);
    CHECK(from != to);
    bal[from] -= amount;
    bal[to] += amount;
    CHECK(bal[from] >= 0);
  }
  return bal;
}

}  // namespace

TEST_CASE("e2e: 300 concurrent transfers from every node leave identical chains and honour every reply") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();

  std::mutex mu;
  std::vector<Outcome> outcomes;
  std::vector<std::thread> clients;
  for (int node = 1; node <= 3; ++node) {
    for (int k = 0; k < 4; ++k) {
      clients.emplace_back([&, node, k] {
        std::mt19937 rng(node * 100 + k);
        for (int i = 0; i < 25; ++i) {
          int to = node;
          while (to == node) to = 1 + rng() % 3;
          json req{{"cmd", "transfer"}, {"to", to}, {"amount", 1 + rng() % 400}};  // overdrafts come
          if (i % 5 == 0) req["txid"] = "c" + std::to_string(node) + "-" + std::to_string(k) + "-" + std::to_string(i);
          auto r = c.ask(node, req, std::chrono::seconds(20));
          std::lock_guard lock(mu);
          outcomes.push_back({node, req, r.value_or(json{{"no_reply", true}})});
          // A retry with the same txid returns the same outcome and pays nothing more.
          if (req.contains("txid") && r) {
            auto again = c.ask(node, req, std::chrono::seconds(20));
            CHECK(again == r);
          }
        }
      });
    }
  }
  for (auto& t : clients) t.join();
  REQUIRE(outcomes.size() == 300);

  std::uint64_t height = c.wait_same_height();
  std::vector<json> chains;
  for (int node = 1; node <= 3; ++node) {
    auto r = c.ask(node, {{"cmd", "chain"}});
    REQUIRE(r);
    chains.push_back((*r)["blocks"]);
  }
  CHECK(chains[0] == chains[1]);
  CHECK(chains[1] == chains[2]);
  CHECK(chains[0].size() == height + 1);
  auto balances = replay(chains[0]);
  long long total = 0;
  for (const auto& [id, cents] : balances) total += cents;
  CHECK(total == 3000);
  for (int node = 1; node <= 3; ++node) {
    auto r = c.ask(node, {{"cmd", "balance"}});
    REQUIRE(r);
    for (const auto& [id, cents] : (*r)["balances"].items()) CHECK(cents.get<long long>() == balances[id]);
    auto v = c.ask(node, {{"cmd", "verify"}});
    REQUIRE(v);
    CHECK((*v)["height"] == height);
  }

  std::map<std::pair<int, std::string>, int> in_chain;  // (from, txid) -> count
  for (std::size_t i = 1; i < chains[0].size(); ++i)
    ++in_chain[{chains[0][i]["tx"]["from"].get<int>(), chains[0][i]["tx"]["txid"].get<std::string>()}];
  int committed = 0, aborted = 0;
  for (const auto& o : outcomes) {
    REQUIRE_MESSAGE(!o.reply.contains("no_reply"), "a transfer got no reply: " << o.request.dump());
    std::string status = o.reply["status"];
    std::string txid = o.reply["txid"];
    if (status == "committed") {
      ++committed;
      CHECK(in_chain[{o.node, txid}] == 1);
      CHECK(o.reply["block"] == chains[0][o.reply["block"]["index"].get<std::size_t>()]);
    } else {
      CHECK(status == "aborted");
      ++aborted;
      CHECK(in_chain[{o.node, txid}] == 0);
    }
  }
  CHECK(committed == static_cast<int>(height));
  CHECK(aborted > 0);  // the workload overdraws on purpose
  MESSAGE("committed " << committed << ", aborted " << aborted);

  // Critical sections never overlap across the three logs (CONTRACT section 6).
  c.stop_all();
  std::vector<std::pair<std::string, std::string>> intervals;
  for (int node = 1; node <= 3; ++node) {
    std::map<std::string, std::string> enter;  // req -> ts
    for (const auto& e : c.log_events(node)) {
      REQUIRE_FALSE(e.is_discarded());
      for (const char* k : {"ts", "node", "lamport", "event"}) CHECK(e.contains(k));
      if (e["event"] == "cs_enter") enter[e["req"].dump()] = e["ts"];
      if (e["event"] == "cs_exit") {
        REQUIRE(enter.contains(e["req"].dump()));
        intervals.emplace_back(enter[e["req"].dump()], e["ts"]);
      }
    }
  }
  std::sort(intervals.begin(), intervals.end());
  CHECK(intervals.size() >= static_cast<std::size_t>(committed));  // one critical section per transfer at least
  for (std::size_t i = 1; i < intervals.size(); ++i)
    CHECK_MESSAGE(intervals[i - 1].second < intervals[i].first,
                  "critical sections overlap: " << intervals[i - 1].first << ".." << intervals[i - 1].second << " and "
                                                << intervals[i].first);
}

TEST_CASE("e2e: sequential transfers on an idle cluster (latency figures)") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  std::vector<double> ms;
  for (int i = 0; i < 1000; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = c.ask(1 + i % 3, {{"cmd", "transfer"}, {"to", 1 + (i + 1) % 3}, {"amount", 1}});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    REQUIRE(r);
    REQUIRE((*r)["status"] == "committed");
  }
  std::sort(ms.begin(), ms.end());
  MESSAGE("1000 sequential transfers: median " << ms[500] << " ms, p99 " << ms[990] << " ms, max " << ms.back() << " ms");
  CHECK(c.wait_same_height() == 1000);
}
