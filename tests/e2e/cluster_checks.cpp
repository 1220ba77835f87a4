// ClusterChecks: the end-of-scenario assertions shared by the end-to-end tests.
#include "cluster_checks.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>
#include <optional>

namespace bank::e2e {

std::string sha256_hex(const std::string& text) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[2 * sizeof h + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

std::map<std::string, long long> replay_chain(const nlohmann::json& blocks) {
  std::map<std::string, long long> bal;
  std::string prev(64, '0');
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    nlohmann::json b = blocks[i];
    CHECK(b["index"].get<std::size_t>() == i);
    CHECK(b["prev"] == prev);
    std::string hash = b["hash"];
    b.erase("hash");
    b.erase("sig");  // like the hash, the signature is not part of what is hashed
    CHECK(sha256_hex(b.dump()) == hash);
    prev = hash;
    if (i == 0) {
      for (const auto& [id, cents] : b["genesis"]["balances"].items()) bal[id] = cents.get<long long>();
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

nlohmann::json chain_of(ClusterHarness& c, int node) {
  // Page by page: a reply holds at most max_chain_page blocks and names the next index.
  nlohmann::json blocks = nlohmann::json::array();
  for (std::uint64_t from = 0;;) {
    auto r = c.ask(node, {{"cmd", "chain"}, {"from", from}});
    REQUIRE(r);
    for (const auto& b : (*r)["blocks"]) blocks.push_back(b);
    if (!r->contains("next")) break;
    REQUIRE((*r)["next"].get<std::uint64_t>() == from + (*r)["blocks"].size());
    from = (*r)["next"];
  }
  return blocks;
}

void check_prefixes(ClusterHarness& c) {
  std::vector<std::pair<int, nlohmann::json>> chains;
  for (int node = 1; node <= c.size(); ++node)
    if (c.running(node)) chains.emplace_back(node, chain_of(c, node));
  for (std::size_t i = 0; i < chains.size(); ++i)
    for (std::size_t j = i + 1; j < chains.size(); ++j) {
      const auto& [a, ca] = chains[i];
      const auto& [b, cb] = chains[j];
      std::size_t n = std::min(ca.size(), cb.size());
      for (std::size_t k = 0; k < n; ++k)
        REQUIRE_MESSAGE(ca[k] == cb[k], "nodes " << a << " and " << b << " differ at block " << k << ": "
                                                << ca[k].dump() << " and " << cb[k].dump());
    }
}

nlohmann::json check_cluster(ClusterHarness& c, const std::vector<Outcome>& outcomes, long long total) {
  std::uint64_t height = c.wait_same_height(std::chrono::seconds(30));
  std::vector<nlohmann::json> chains;
  for (int node = 1; node <= c.size(); ++node) {
    if (!c.running(node)) continue;
    chains.push_back(chain_of(c, node));
    auto v = c.ask(node, {{"cmd", "verify"}});
    REQUIRE(v);
    CHECK((*v)["height"] == height);
  }
  REQUIRE(!chains.empty());
  for (const auto& chain : chains) CHECK(chain == chains.front());
  const auto& chain = chains.front();
  CHECK(chain.size() == height + 1);
  auto balances = replay_chain(chain);
  long long sum = 0;
  for (const auto& [id, cents] : balances) sum += cents;
  CHECK(sum == total);
  for (int node = 1; node <= c.size(); ++node) {
    if (!c.running(node)) continue;
    auto r = c.ask(node, {{"cmd", "balance"}});
    REQUIRE(r);
    for (const auto& [id, cents] : (*r)["balances"].items()) CHECK(cents.get<long long>() == balances[id]);
  }
  std::map<std::pair<int, std::string>, int> in_chain;
  for (std::size_t i = 1; i < chain.size(); ++i)
    ++in_chain[{chain[i]["tx"]["from"].get<int>(), chain[i]["tx"]["txid"].get<std::string>()}];
  for (const auto& [key, n] : in_chain) CHECK_MESSAGE(n == 1, "txid " << key.second << " appears " << n << " times");
  for (const auto& o : outcomes) {
    std::string status = o.reply.value("status", "");
    std::string txid = o.reply.value("txid", "");
    int times = in_chain[std::pair{o.node, txid}];
    if (status == "committed") {
      CHECK_MESSAGE(times == 1, "committed " << txid << " is not in the chain once");
      CHECK(o.reply["block"] == chain[o.reply["block"]["index"].get<std::size_t>()]);
    } else {
      CHECK_MESSAGE(status == "aborted", o.reply.dump());
      CHECK_MESSAGE(times == 0, "aborted " << txid << " is in the chain");
    }
  }
  return chain;
}

void check_critical_sections(const ClusterHarness& c) {
  std::vector<std::pair<std::string, std::string>> intervals;
  for (int node = 1; node <= c.size(); ++node) {
    std::optional<std::string> open;
    std::string last_ts;
    const auto events = c.log_events(node);
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      // The log is neither synced nor written atomically: a process killed (kill -9, a power
      // cut) in the middle of a write leaves a torn last line, which its next start follows.
      // Anywhere else a line that does not parse is a fault.
      if (e.is_discarded()) {
        REQUIRE_MESSAGE((i + 1 == events.size() || events[i + 1].value("event", "") == "start"),
                        "node " << node << ": log line " << i + 1 << " is not JSON");
        continue;
      }
      if (e["event"] == "start" && open) {  // the previous process died inside its critical section
        intervals.emplace_back(*open, last_ts);
        open.reset();
      }
      if (e["event"] == "cs_enter") open = e["ts"].get<std::string>();
      if (e["event"] == "cs_exit" && open) {
        intervals.emplace_back(*open, e["ts"].get<std::string>());
        open.reset();
      }
      last_ts = e["ts"];
    }
    if (open) intervals.emplace_back(*open, last_ts);
  }
  std::sort(intervals.begin(), intervals.end());
  for (std::size_t i = 1; i < intervals.size(); ++i)
    CHECK_MESSAGE(intervals[i - 1].second < intervals[i].first,
                  "critical sections overlap: " << intervals[i - 1].first << ".." << intervals[i - 1].second
                                                << " and " << intervals[i].first);
}

}  // namespace bank::e2e
