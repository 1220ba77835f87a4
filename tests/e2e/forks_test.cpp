// End to end: block files rewritten into a fork (each valid on its own) are found by real
// nodes: `diverged` in status and the log, and transfers refused naming the peer and index.
#include <doctest/doctest.h>

#include <filesystem>
#include <optional>
#include <fstream>
#include <set>
#include <thread>

#include "actors/ledger/chain.hpp"
#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;

namespace {

// Node `id`'s block file: the harness's genesis, then one block of `tx`, signed by its payer
// (valid on its own: it loads and verifies).
void write_chain(const ClusterHarness& c, int id, std::optional<bank::Tx> tx) {
  bank::Chain chain(bank::Chain::make_genesis({{1, 1000}, {2, 1000}, {3, 1000}}));
  const auto dir = c.dir() / "data" / ("node-" + std::to_string(id));
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / "blocks.jsonl");
  out << bank::block_text(chain.at(0)) << "\n";
  if (tx) {
    bank::Block b = chain.next_block(*tx);
    b.sig = c.node_secret(static_cast<int>(tx->from)).signer.sign_hash(b.hash);
    REQUIRE_FALSE(chain.append(b));
    out << bank::block_text(b) << "\n";
  }
}

// The peers node `id` reports diverged, once it reports any, or `wanted` among them when
// given (bounded wait). Node 2 may hold either branch by the time a node compares with it,
// so which peer a node finds first is a race; the branch's other holder is found too.
std::set<int> diverged_peers(ClusterHarness& c, int id, std::optional<int> wanted = std::nullopt) {
  std::set<int> peers;
  auto done = [&] { return wanted ? peers.contains(*wanted) : !peers.empty(); };
  for (int i = 0; i < 200 && !done(); ++i) {
    peers.clear();
    if (auto s = c.ask(id, {{"cmd", "status"}}); s && s->contains("diverged"))
      for (const auto& d : (*s)["diverged"]) {
        CHECK(d["index"] == 1);
        peers.insert(d["peer"].get<int>());
      }
    if (!done()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return peers;
}

}  // namespace

TEST_CASE("e2e: nodes started on forked block files find the fork, refuse transfers and append nothing") {
  ClusterHarness c(3);
  // Nodes 1 and 3 hold different blocks 1; node 2 holds genesis only.
  write_chain(c, 1, bank::Tx{"1-1", 1, 2, 400, 7});
  write_chain(c, 3, bank::Tx{"3-1", 3, 2, 250, 7});
  write_chain(c, 2, std::nullopt);
  c.start_all();

  CHECK(diverged_peers(c, 1, 3).contains(3));
  CHECK(diverged_peers(c, 3, 1).contains(1));
  // Node 2 fetches one branch, then finds the other.
  auto at_2 = diverged_peers(c, 2);
  CHECK(at_2.size() == 1);

  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}});
  REQUIRE(r);
  CHECK((*r)["status"] == "rejected");
  CHECK((*r)["error"].get<std::string>().find("diverged from node ") != std::string::npos);
  CHECK((*r)["error"].get<std::string>().find("'s at index 1") != std::string::npos);
  CHECK((*r)["error"].get<std::string>().find("operator") != std::string::npos);
  auto cli = ClusterHarness::run({BANK_CLI_BIN, "--config", c.config().string(), "--node", "2", "transfer", "3", "1.00"});
  CHECK(cli.exit_code == 1);
  auto shown = ClusterHarness::run({BANK_CLI_BIN, "--config", c.config().string(), "--node", "1", "status"});
  CHECK(shown.out.find("DIVERGED from node 3 at index 1") != std::string::npos);  // listed, whichever came first
  for (int id : {1, 2, 3}) {
    auto s = c.ask(id, {{"cmd", "status"}});
    REQUIRE(s);
    CHECK((*s)["height"] == 1);  // nothing built on the fork
  }

  c.stop_all();
  bool logged = false;
  for (const auto& e : c.log_events(1))
    logged = logged || (e["event"] == "diverged" && e["peer"] == 3 && e["index"] == 1 && e.contains("ours") &&
                        e.contains("theirs"));
  CHECK(logged);
}
