// End to end: bank-cli one-shot and interactive (commands on stdin), its output for people,
// --json, and its exit codes.
#include <doctest/doctest.h>

#include "cluster_harness.hpp"

using bank::e2e::ClusterHarness;

namespace {
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("e2e: bank-cli one-shot commands, dollars in and out, exit codes") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  auto cli = [&](std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv{BANK_CLI_BIN, "--config", c.config().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return ClusterHarness::run(argv, input);
  };
  auto r = cli({"--node", "1", "transfer", "2", "4.00"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "committed $4.00 from 1 to 2 in block 1"));

  r = cli({"--node", "3", "balance"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "node 1           $6.00"));
  CHECK(has(r.out, "node 2          $14.00"));

  r = cli({"--node", "2", "balance", "1"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "$6.00"));

  r = cli({"--node", "1", "--json", "balance", "2"});
  CHECK(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j == nlohmann::json{{"ok", true}, {"id", 2}, {"balance", 1400}});

  r = cli({"--node", "1", "transfer", "2", "100"});  // more than it holds
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "aborted"));

  r = cli({"--node", "1", "transfer", "2", "1.005"});
  CHECK(r.exit_code == 2);
  r = cli({"--node", "1", "transfer", "1", "1.00"});  // to itself
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "rejected"));
  r = cli({"--node", "9", "status"});
  CHECK(r.exit_code == 2);
  r = cli({"status"});
  CHECK(r.exit_code == 2);

  r = cli({"--node", "1", "--txid", "abc", "transfer", "3", "1.50"});
  CHECK(r.exit_code != 0);  // --txid belongs to transfer
  r = cli({"--node", "1", "transfer", "3", "1.50", "--txid", "abc"});
  CHECK(r.exit_code == 0);
  r = cli({"--node", "1", "transfer", "3", "1.50", "--txid", "abc"});  // retry: same block, not paid twice
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "in block 2"));

  r = cli({"--node", "2", "chain"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "genesis: 1=$10.00 2=$10.00 3=$10.00"));
  CHECK(has(r.out, "1 -> 3           $1.50"));

  r = cli({"--node", "3", "verify"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "chain verified: height 2"));

  r = cli({"--node", "1", "status"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "height 2"));
  CHECK(has(r.out, "peers: 2:up 3:up"));

  r = cli({"--node", "1", "nodes"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "2 127.0.0.1 " + std::to_string(c.peer_port(2))));

  // Interactive, fed through a pipe: each line a command; the worst outcome is the exit code.
  r = cli({"--node", "2"}, "help\nbalance 2\ntransfer 1 0.25\n\nchain 0 1\nbogus\nquit\nbalance\n");
  CHECK(r.exit_code == 2);  // "bogus" was not a command
  CHECK(has(r.out, "transfer TO DOLLARS"));
  CHECK(has(r.out, "$14.00"));
  CHECK(has(r.out, "committed $0.25 from 2 to 1 in block 3"));
  CHECK(has(r.err, "not a command: bogus"));
  CHECK_FALSE(has(r.out, "node 3"));  // nothing after quit ran

  r = cli({"--node", "3"}, "status\nverify\n");
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "chain verified: height 3"));

  // A node that does not answer: exit 3 within the timeout.
  c.stop(3);
  auto t0 = std::chrono::steady_clock::now();
  r = cli({"--node", "3", "--timeout", "0.5", "status"});
  CHECK(r.exit_code == 3);
  CHECK(has(r.err, "did not answer within 0.5 s"));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
}
