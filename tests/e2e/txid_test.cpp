// End to end: money safety of txids. A txid names one transfer in the whole cluster: reused
// for another payee, amount or payer it is refused (and bank-cli exits 1, so a script that
// checks $? does not believe money moved); retried as it was, it answers the earlier
// decision and says it is a replay.
#include <doctest/doctest.h>

#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;
using nlohmann::json;

namespace {
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("e2e: a txid reused for another transfer is rejected naming the conflict, and a true retry is a replay") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{BANK_CLI_BIN, "--config", c.config().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return ClusterHarness::run(argv);
  };
  auto r = cli({"--node", "1", "transfer", "2", "1.00", "--txid", "order-42"});
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "committed $1.00 from 1 to 2 in block 1 (txid order-42)\n"));  // a first answer

  // The same txid for node 3: refused, exit 1, the reply naming what order-42 paid.
  r = cli({"--node", "1", "transfer", "3", "1.00", "--txid", "order-42"});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "rejected"));
  CHECK(has(r.err, "order-42"));
  CHECK_FALSE(has(r.out, "committed"));
  // Another amount, through the console protocol.
  auto j = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 150}, {"txid", "order-42"}});
  REQUIRE(j);
  CHECK((*j)["ok"] == false);
  CHECK((*j)["status"] == "rejected");
  CHECK(has((*j)["error"].get<std::string>(), "100 cents from 1 to 2 in block 1"));
  // Another payer: node 2's owner reusing node 1's txid.
  j = c.ask(2, {{"cmd", "transfer"}, {"to", 3}, {"amount", 100}, {"txid", "order-42"}});
  REQUIRE(j);
  CHECK((*j)["status"] == "rejected");

  // The true retry: the earlier decision, marked a replay, in the reply and in the CLI.
  j = c.ask(1, {{"cmd", "transfer"}, {"to", 2}, {"amount", 100}, {"txid", "order-42"}});
  REQUIRE(j);
  CHECK((*j)["status"] == "committed");
  CHECK((*j)["replay"] == true);
  CHECK((*j)["block"]["index"] == 1);
  r = cli({"--node", "1", "transfer", "2", "1.00", "--txid", "order-42"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "a replay of the earlier decision on this txid, nothing new was paid"));

  // Nothing was paid by any of it: one block, the balances of one $1.00 transfer.
  CHECK(c.wait_same_height() == 1);
  auto b = c.ask(3, {{"cmd", "balance"}});
  REQUIRE(b);
  CHECK((*b)["balances"] == json{{"1", 900}, {"2", 1100}, {"3", 1000}});
  int refusals = 0;
  for (int id : {1, 2})
    for (const auto& e : c.log_events(id))
      refusals += e["event"] == "error" && has(e.value("error", ""), "was used for another transfer");
  CHECK(refusals == 3);
}
