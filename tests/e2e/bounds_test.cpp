// End to end: the bounds that show without keys: chain replies in pages, aborts remembered
// within their bound across a restart, and the modes of the files and folders a node makes.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;
using nlohmann::json;

namespace {

// Runs `count` transfers from `node` on `threads` concurrent clients; `request(i)` makes the
// i-th. Returns how many got an answer with the given status.
int drive(ClusterHarness& c, int node, int count, int threads, const std::function<json(int)>& request,
          const std::string& status) {
  std::atomic<int> next{0}, matched{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t)
    clients.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        auto r = c.ask(node, request(i), std::chrono::seconds(30));
        if (r && (*r)["status"] == status) ++matched;
      }
    });
  for (auto& t : clients) t.join();
  return matched;
}

std::size_t lines_in(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("e2e: chain replies come in pages of at most 1,000 blocks saying where to go on - bank-cli chain --all follows them") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  const int transfers = 1200;  // a cent each, from nodes 1 and 2 ($10.00 each) to node 3
  auto cent = [](int) { return json{{"cmd", "transfer"}, {"to", 3}, {"amount", 1}}; };
  CHECK(drive(c, 1, transfers / 2, 8, cent, "committed") == transfers / 2);
  CHECK(drive(c, 2, transfers / 2, 8, cent, "committed") == transfers / 2);
  auto height = c.wait_same_height();
  REQUIRE(height == transfers);

  auto r = c.ask(2, {{"cmd", "chain"}});  // no limit: one page
  REQUIRE(r);
  CHECK((*r)["blocks"].size() == 1000);
  CHECK((*r)["next"] == 1000);
  r = c.ask(2, {{"cmd", "chain"}, {"from", 100}, {"limit", 5000}});  // a bigger limit: still one page
  REQUIRE(r);
  CHECK((*r)["blocks"].size() == 1000);
  CHECK((*r)["blocks"][0]["index"] == 100);
  CHECK((*r)["next"] == 1100);
  r = c.ask(2, {{"cmd", "chain"}, {"from", 1100}});  // the last page: to the head, no next
  REQUIRE(r);
  CHECK((*r)["blocks"].size() == 101);
  CHECK_FALSE(r->contains("next"));

  // bank-cli follows the pages: --all to the head, --limit across a page's end.
  auto cli = ClusterHarness::run({BANK_CLI_BIN, "--config", c.config().string(), "--node", "3", "chain", "--all"});
  CHECK(cli.exit_code == 0);
  CHECK(std::count(cli.out.begin(), cli.out.end(), '\n') == 1 + transfers + 1);  // header, genesis, blocks
  cli = ClusterHarness::run(
      {BANK_CLI_BIN, "--config", c.config().string(), "--node", "3", "chain", "--from", "900", "--limit", "250"});
  CHECK(cli.exit_code == 0);
  CHECK(std::count(cli.out.begin(), cli.out.end(), '\n') == 1 + 250 + 1);  // header, blocks, where the rest are
  CHECK(cli.out.find("\n   900  ") != std::string::npos);
  CHECK(cli.out.find("\n  1149  ") != std::string::npos);
  CHECK(cli.out.find("(blocks 900 to 1149; more follow: chain --from 1150, or --all)") != std::string::npos);
  // Without --all, the last 20 blocks.
  cli = ClusterHarness::run({BANK_CLI_BIN, "--config", c.config().string(), "--node", "3", "chain"});
  CHECK(cli.exit_code == 0);
  CHECK(std::count(cli.out.begin(), cli.out.end(), '\n') == 1 + 20 + 1);
  CHECK(cli.out.find("(blocks 1181 to 1200 of 0 to 1200") != std::string::npos);
}

TEST_CASE("e2e: 20,000 overdrafts with fresh txids leave the abort memory and aborts.jsonl within their bound") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  const int overdrafts = 20000;
  auto overdraft = [](int i) {
    return json{{"cmd", "transfer"}, {"to", 2}, {"amount", 100000}, {"txid", "od-" + std::to_string(i)}};
  };
  CHECK(drive(c, 1, overdrafts, 32, overdraft, "aborted") == overdrafts);
  const auto aborts = c.dir() / "data" / "node-1" / "aborts.jsonl";
  const std::size_t kept = 4096;  // max_kept_aborts
  CHECK(lines_in(aborts) >= kept);
  CHECK(lines_in(aborts) < 2 * kept);

  // The newest are remembered: a retry gets the same abort, even with a coverable amount.
  const std::string newest_txid = "od-" + std::to_string(overdrafts - 1);
  json newest = overdraft(overdrafts - 1);
  auto first = c.ask(1, newest);
  REQUIRE(first);
  CHECK((*first)["status"] == "aborted");

  // Across a restart too: the node loads the newest, and its file holds no more than them.
  c.stop(1);
  c.start(1);
  c.wait_ready();
  CHECK(lines_in(aborts) <= kept + 1);
  json small = newest;
  small["amount"] = 1;
  auto again = c.ask(1, small);
  REQUIRE(again);
  CHECK((*again)["status"] == "aborted");
  CHECK((*again)["txid"] == newest_txid);
  // An aged-out one is forgotten: the same txid is decided anew, and now it is covered.
  json old = overdraft(0);
  old["amount"] = 1;
  auto renewed = c.ask(1, old);
  REQUIRE(renewed);
  CHECK((*renewed)["status"] == "committed");
}

TEST_CASE("e2e: a node creates its data folders 0700 and its block, abort and log files 0600") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  auto r = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 1}});
  REQUIRE(r);
  const auto data = c.dir() / "data";
  CHECK(mode_of(data) == 0700);
  for (int id = 1; id <= 3; ++id) {
    const auto node = data / ("node-" + std::to_string(id));
    CHECK(mode_of(node) == 0700);
    CHECK(mode_of(node / "blocks.jsonl") == 0600);
    CHECK(mode_of(node / "aborts.jsonl") == 0600);
    CHECK(mode_of(c.dir() / ("node-" + std::to_string(id) + ".log")) == 0600);
  }
}
