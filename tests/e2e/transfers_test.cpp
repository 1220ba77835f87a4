// End to end: concurrent transfers on three real nodes leave identical, valid chains,
// balances equal to a replay, every reply honoured, and critical sections that never overlap.
#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "cluster_checks.hpp"

using namespace bank::e2e;
using nlohmann::json;

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
          outcomes.push_back({.node = node, .request = req, .reply = r.value_or(json{{"no_reply", true}})});
          // A retry with the same txid returns the same outcome and pays nothing more.
          if (req.contains("txid") && r) {
            auto again = c.ask(node, req, std::chrono::seconds(20));
            auto expected = *r;
            if (expected["status"] == "committed") expected["replay"] = true;  // said so
            CHECK(again == expected);
          }
        }
      });
    }
  }
  for (auto& t : clients) t.join();
  REQUIRE(outcomes.size() == 300);

  int committed = 0, aborted = 0;
  for (const auto& o : outcomes) {
    REQUIRE_MESSAGE(!o.reply.contains("no_reply"), "a transfer got no reply: " << o.request.dump());
    committed += o.reply["status"] == "committed";
    aborted += o.reply["status"] == "aborted";
  }
  CHECK(committed + aborted == 300);
  auto chain = check_cluster(c, outcomes, 3000);
  CHECK(chain.size() == static_cast<std::size_t>(committed) + 1);
  CHECK(aborted > 0);  // the workload overdraws on purpose
  MESSAGE("committed " << committed << ", aborted " << aborted);

  // Critical sections never overlap across the three logs, and every
  // line carries the fields docs/file-formats.md#structured-log documents.
  c.stop_all();
  for (int node = 1; node <= 3; ++node)
    for (const auto& e : c.log_events(node))
      for (const char* k : {"ts", "node", "lamport", "event"}) CHECK(e.contains(k));
  check_critical_sections(c);
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
