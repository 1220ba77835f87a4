// End to end: bank-cli against a real cluster: one-shot commands and the same words at the
// prompt (from a pipe, and at a terminal through a pseudo-terminal), its output for people,
// --json, its help and version, its environment variables, and its exit codes.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "cluster_harness.hpp"
#include "pty_driver.hpp"

using bank::e2e::ClusterHarness;
using bank::e2e::CommandResult;
using bank::e2e::PtyDriver;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
long lines_in(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

// bank-cli with the cluster's config, `args` after it, `input` on stdin.
CommandResult cli(const ClusterHarness& c, std::vector<std::string> args, const std::string& input = "") {
  std::vector<std::string> argv{BANK_CLI_BIN, "--config", c.config().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return ClusterHarness::run(argv, input);
}

// bank-cli with only these environment variables added (through env(1)), no --config.
CommandResult cli_env(std::vector<std::string> env, std::vector<std::string> args, const std::string& input = "") {
  std::vector<std::string> argv{"/usr/bin/env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(BANK_CLI_BIN);
  argv.insert(argv.end(), args.begin(), args.end());
  return ClusterHarness::run(argv, input);
}

// A usage error: exit 2 and one line on stderr, nothing on stdout.
void check_usage_error(const CommandResult& r, const std::string& part) {
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(lines_in(r.err) == 1);
  CHECK(has(r.err, part));
  CHECK(r.out.empty());
}

std::string temp_home() {
  std::string pattern = (std::filesystem::temp_directory_path() / "bank-cli-home-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

}  // namespace

TEST_CASE("e2e: bank-cli one-shot commands, dollars in and out, exit codes") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  auto r = cli(c, {"--node", "1", "transfer", "2", "4.00"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "committed $4.00 from 1 to 2 in block 1"));

  r = cli(c, {"--node", "3", "balance"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "node 1           $6.00"));
  CHECK(has(r.out, "node 2          $14.00"));

  r = cli(c, {"--node", "2", "balance", "1"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "$6.00"));

  r = cli(c, {"--node", "1", "--json", "balance", "2"});
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out) == nlohmann::json{{"ok", true}, {"id", 2}, {"balance", 1400}});

  // An abort in dollars for people; --json keeps the node's reply as it came, in cents.
  r = cli(c, {"--node", "1", "transfer", "2", "100"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "aborted: account 1 holds $6.00, less than the $100.00 asked\n");
  r = cli(c, {"--node", "1", "transfer", "2", "100", "--json"});
  CHECK(r.exit_code == 1);
  auto aborted = nlohmann::json::parse(r.out);
  CHECK(aborted["status"] == "aborted");
  CHECK(aborted["error"] == "account 1 holds 600 cents, less than the 10000 cents asked");

  // Amounts as people write them.
  r = cli(c, {"--node", "1", "transfer", "3", ".5"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "committed $0.50 from 1 to 3 in block 2"));
  r = cli(c, {"--node", "1", "transfer", "3", "1."});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "committed $1.00 from 1 to 3 in block 3"));
  r = cli(c, {"--node", "1", "transfer", "3", "$0.25"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "committed $0.25 from 1 to 3 in block 4"));
  check_usage_error(cli(c, {"--node", "1", "transfer", "2", "0.001"}), "'0.001': at most 2 decimals");
  check_usage_error(cli(c, {"--node", "1", "transfer", "2", "0"}), "'0' is not a positive amount");
  check_usage_error(cli(c, {"--node", "1", "transfer", "2", "four"}), "'four' is not an amount of dollars");

  r = cli(c, {"--node", "1", "transfer", "1", "1.00"});  // to itself: the node refuses
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "rejected"));
  r = cli(c, {"--node", "9", "status"});
  check_usage_error(r, "node 9 is not in ");
  CHECK(has(r.err, "(its nodes: 1, 2, 3)"));

  // Usage errors: one readable line, exit 2, nothing sent.
  check_usage_error(cli(c, {"--node", "1", "chain", "-1"}), "bank-cli: chain: unexpected '-1'");
  check_usage_error(cli(c, {"--node", "1", "chain", "abc"}), "bank-cli: chain: unexpected 'abc'");
  check_usage_error(cli(c, {"--node", "1", "balance", "x"}), "bank-cli: balance: 'x' is not a node id");
  check_usage_error(cli(c, {"--node", "1", "--timeout", "0", "status"}), "'0' is not a number of seconds above 0");
  check_usage_error(cli(c, {"--node", "1", "--timeout", "-1", "status"}), "'-1' is not a number of seconds above 0");
  check_usage_error(cli(c, {"--node", "1", "bogus"}), "bank-cli: not a command: bogus (try: help)");
  check_usage_error(cli(c, {"--node", "1", "--txid", "abc", "transfer", "3", "1.50"}), "not a command: abc");

  r = cli(c, {"--node", "1", "transfer", "3", "1.50", "--txid", "abc"});
  CHECK(r.exit_code == 0);
  r = cli(c, {"--node", "1", "transfer", "3", "1.50", "--txid", "abc"});  // retry: same block, not paid twice
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "in block 5"));

  r = cli(c, {"--node", "2", "chain"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "genesis: 1=$10.00 2=$10.00 3=$10.00"));
  CHECK(has(r.out, "1 -> 3           $1.50"));

  r = cli(c, {"--node", "3", "verify"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "chain verified: height 5"));

  r = cli(c, {"--node", "1", "status"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "height 5"));
  CHECK(has(r.out, "peers: 2:up 3:up"));

  r = cli(c, {"status"});  // no --node: the config's lowest id
  CHECK(r.exit_code == 0);
  CHECK(r.out.starts_with("node 1  "));

  r = cli(c, {"nodes"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "2 127.0.0.1 " + std::to_string(c.peer_port(2))));

  // Commands through a pipe: each line a command; the worst outcome is the exit code.
  r = cli(c, {"--node", "2"}, "help\nbalance 2\ntransfer 1 0.25\n\nchain --from 0 --limit 1\nbogus\nquit\nbalance\n");
  CHECK(r.exit_code == 2);  // "bogus" was not a command
  CHECK(has(r.out, "transfer TO DOLLARS"));
  CHECK(has(r.out, "$14.00"));
  CHECK(has(r.out, "committed $0.25 from 2 to 1 in block 6"));
  CHECK(has(r.err, "line 6: not a command: bogus"));
  CHECK_FALSE(has(r.out, "node 3"));  // nothing after quit ran

  r = cli(c, {"--node", "3"}, "status\nverify\n");
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "chain verified: height 6"));
}

TEST_CASE("e2e: bank-cli takes the same words one-shot and at the prompt, options anywhere, help and --version") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  REQUIRE(cli(c, {"--node", "1", "transfer", "2", "4.00"}).exit_code == 0);
  REQUIRE(cli(c, {"--node", "2", "transfer", "3", "1.25", "--txid", "t-1"}).exit_code == 0);

  // The same words give the same output, one-shot or as a prompt line.
  const std::vector<std::vector<std::string>> commands = {
      {"balance"},
      {"balance", "2"},
      {"--json", "balance", "3"},
      {"chain", "--from", "1", "--limit", "1"},
      {"chain"},
      {"verify"},
      {"nodes"},
      {"help", "transfer"},
      {"?"},
      {"--version"},
  };
  for (const auto& words : commands) {
    std::string line;
    for (const auto& w : words) line += w + " ";
    CAPTURE(line);
    auto one_shot = cli(c, words);
    auto prompt = cli(c, {}, line + "\n");
    CHECK(one_shot.exit_code == 0);
    CHECK(prompt.exit_code == 0);
    CHECK_FALSE(one_shot.out.empty());
    CHECK(one_shot.out == prompt.out);
  }
  // Wrong words: the same sentence, and exit 2, either way.
  auto one_shot = cli(c, {"chain", "abc"});
  auto prompt = cli(c, {}, "chain abc\n");
  CHECK(one_shot.exit_code == 2);
  CHECK(prompt.exit_code == 2);
  CHECK(one_shot.err == "bank-cli: chain: unexpected 'abc' (usage: chain [--from INDEX] [--limit N] [--all])\n");
  CHECK(prompt.err == "line 1: chain: unexpected 'abc' (usage: chain [--from INDEX] [--limit N] [--all])\n");

  // Options before or after the command, and at the prompt over the command line's.
  auto before = cli(c, {"--node", "3", "--json", "balance", "2"});
  auto after = cli(c, {"balance", "2", "--node", "3", "--json"});
  CHECK(before.exit_code == 0);
  CHECK(before.out == after.out);
  CHECK(nlohmann::json::parse(after.out)["balance"] == 1275);
  auto r = cli(c, {"--node", "1"}, "status --node 3\nstatus\n");
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "node 3  lamport"));
  CHECK(has(r.out, "node 1  lamport"));
  r = cli(c, {"--node", "1", "--txid", "t-2"}, "");  // a command's option is not the console's
  check_usage_error(r, "not a command: t-2");

  // help, ? and --version, one-shot and at the prompt.
  for (const auto& words : std::vector<std::vector<std::string>>{{"help"}, {"?"}, {"--help"}, {"--node", "2", "help"}}) {
    CAPTURE(words.front());
    r = cli(c, words);
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "transfer TO DOLLARS [--txid ID]"));
    CHECK(has(r.out, "options, before or after the command:"));
  }
  r = cli(c, {"chain", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "usage: chain [--from INDEX] [--limit N] [--all]"));
  r = cli(c, {}, "help\n?\nhelp balance\n--version\nstatus --version\n");
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "usage: balance [ID]"));
  CHECK(lines_in(r.out) > 40);
  CHECK(has(r.out, "bank-cli " BANK_VERSION "\nbank-cli " BANK_VERSION "\n"));
  check_usage_error(cli(c, {"help", "nothing"}), "help: no command 'nothing'");

  // # comments and blank lines in piped input are skipped, also after a command.
  r = cli(c, {"--node", "2"}, "# the balances\n\n   \n\t# indented\nbalance 3  # node 3's\n");
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out == "node 3          $11.25\n");
}

TEST_CASE("e2e: bank-cli reads BANK_CONFIG and BANK_NODE, and flags win over them") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  const std::string config = "BANK_CONFIG=" + c.config().string();
  auto r = cli_env({config}, {"status"});  // no --config: the environment's
  CHECK(r.exit_code == 0);
  CHECK(r.out.starts_with("node 1  "));
  r = cli_env({config, "BANK_NODE=2"}, {"status"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.starts_with("node 2  "));
  r = cli_env({config, "BANK_NODE=2"}, {"status", "--node", "3"});
  CHECK(r.out.starts_with("node 3  "));
  r = cli_env({config, "BANK_NODE=2"}, {"transfer", "1", "2.00"});  // as node 2's owner
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "committed $2.00 from 2 to 1"));
  r = cli_env({config, "BANK_NODE=2"}, {}, "balance 2\n");
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "$8.00"));
  check_usage_error(cli_env({config, "BANK_NODE=two"}, {"status"}), "bank-cli: BANK_NODE: 'two' is not a node id");
  check_usage_error(cli_env({config, "BANK_NODE=7"}, {"status"}), "node 7 is not in " + c.config().string());
  r = cli_env({"BANK_CONFIG=/nonexistent/cluster.yaml"}, {"--config", c.config().string(), "balance", "1"});
  CHECK(r.exit_code == 0);  // --config wins
  CHECK(has(r.out, "$12.00"));
  check_usage_error(cli_env({"BANK_CONFIG=/nonexistent/cluster.yaml"}, {"status"}), "/nonexistent/cluster.yaml");
}

TEST_CASE("e2e: bank-cli chain shows the last 20 blocks, or 20 from --from, and --all every one") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  std::string transfers;
  for (int i = 0; i < 25; ++i) transfers += "transfer 2 0.01\n";
  REQUIRE(cli(c, {"--node", "1"}, transfers).exit_code == 0);
  REQUIRE(c.wait_same_height() == 25);

  auto r = cli(c, {"--node", "2", "chain"});
  CHECK(r.exit_code == 0);
  CHECK(lines_in(r.out) == 1 + 20 + 1);  // header, the last 20, where the rest are
  CHECK(has(r.out, "\n     6  "));
  CHECK(has(r.out, "\n    25  "));
  CHECK_FALSE(has(r.out, "\n     5  "));
  CHECK(has(r.out, "(blocks 6 to 25 of 0 to 25: chain --from INDEX shows others, --all every block)"));

  r = cli(c, {"--node", "2", "chain", "--from", "3"});
  CHECK(lines_in(r.out) == 1 + 20 + 1);
  CHECK(has(r.out, "\n     3  "));
  CHECK(has(r.out, "\n    22  "));
  CHECK(has(r.out, "(blocks 3 to 22; more follow: chain --from 23, or --all)"));

  r = cli(c, {"--node", "2", "chain", "--limit", "3"});
  CHECK(lines_in(r.out) == 1 + 3 + 1);
  CHECK(has(r.out, "\n    23  "));

  r = cli(c, {"--node", "2", "chain", "--from", "20"});  // to the head: nothing more to say
  CHECK(lines_in(r.out) == 1 + 6);

  r = cli(c, {"--node", "2", "chain", "--all"});
  CHECK(r.exit_code == 0);
  CHECK(lines_in(r.out) == 1 + 26);
  CHECK(has(r.out, "genesis: 1=$10.00"));

  r = cli(c, {"--node", "2", "chain", "--json"});  // the page as the node sent it
  auto page = nlohmann::json::parse(r.out);
  CHECK(page["blocks"].size() == 20);
  CHECK(page["blocks"][0]["index"] == 6);

  r = cli(c, {"--node", "2", "chain", "--from", "99"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "(no blocks from index 99: the chain ends before it)"));
}

TEST_CASE("e2e: bank-cli gives up within a second when nothing listens, waits the timeout for a node that is slow") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  c.stop(3);
  auto t0 = std::chrono::steady_clock::now();
  auto r = cli(c, {"--node", "3", "status"});  // the default timeout is 10 s
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(r.exit_code == 3);
  CHECK(r.err == "bank-cli: node 3 at 127.0.0.1:" + std::to_string(c.console_port(3)) +
                     " is not answering (is the cluster up? scripts/cluster status)\n");
  CHECK(took < std::chrono::seconds(2));
  // At the prompt too, command after command.
  t0 = std::chrono::steady_clock::now();
  r = cli(c, {"--node", "3"}, "status\nbalance\n");
  CHECK(r.exit_code == 3);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 2);
  CHECK(has(r.err, "line 2: node 3 at 127.0.0.1:"));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));

  // A node that accepts the connection (the kernel does, for a stopped process) but does
  // not answer gets the whole --timeout.
  REQUIRE(c.signal(2, SIGSTOP));
  t0 = std::chrono::steady_clock::now();
  r = cli(c, {"--node", "2", "--timeout", "2.5", "status"});
  took = std::chrono::steady_clock::now() - t0;
  c.signal(2, SIGCONT);
  CHECK(r.exit_code == 3);
  CHECK(has(r.err, "did not answer within 2.5 s"));
  CHECK(took >= std::chrono::milliseconds(2500));
  CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("e2e: bank-cli's prompt at a terminal: Tab completes, Ctrl-C clears the line, Ctrl-D leaves, history is kept") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  const std::string home = temp_home();
  const std::map<std::string, std::string> env{{"HOME", home}, {"BANK_CONFIG", c.config().string()}};
  {
    PtyDriver p({BANK_CLI_BIN}, env);
    INFO("the terminal: " << p.screen());
    REQUIRE(p.wait_for("(the lowest id in the config); help lists the commands"));
    // Keys are typed once the prompt takes them (see wait_for_editing).
    const auto prompt = [&] {
      REQUIRE(p.wait_for("bank[1]> "));
      REQUIRE(p.wait_for_editing(true));
    };
    prompt();
    // Tab completes a command's name; Enter then runs it.
    p.type("sta\t");
    CHECK(p.wait_for("tus "));
    p.type("\r");
    CHECK(p.wait_for("node 1  lamport"));
    prompt();
    // Tab twice on an empty line lists the commands; after --node, the node ids.
    p.type("\t\t");
    CHECK(p.wait_for("transfer"));
    CHECK(p.wait_for("verify"));
    // The prompt the listing ends with, read before Ctrl-C: else prompt() below could take it
    // for the one after Ctrl-C and type while libedit still switches the terminal.
    CHECK(p.wait_for("bank[1]> "));
    p.type("\x03");
    prompt();
    p.type("balance --node \t\t");
    CHECK(p.wait_for("1  2  3"));
    // Ctrl-C drops what was typed and the prompt goes on: the next line is only "verify".
    p.type("\x03");
    CHECK(p.wait_for("^C\r\n"));
    prompt();
    p.type("transfer 2 9.99\x03");
    CHECK(p.wait_for("^C\r\n"));
    prompt();
    p.type("verify\r");
    CHECK(p.wait_for("chain verified: height 0"));
    prompt();
    // Ctrl-C while a reply is awaited gives up waiting, and the prompt goes on.
    REQUIRE(c.signal(2, SIGSTOP));
    p.type("status --node 2\r");
    REQUIRE(p.wait_for_editing(false));  // the line is taken: the request is on its way
    p.type("\x03");
    CHECK(p.wait_for("interrupted: no reply from node 2"));
    c.signal(2, SIGCONT);
    prompt();
    // Ctrl-D: a newline after the prompt, and the worst exit code of the session: 3, as
    // the interrupted status got no answer.
    p.type("\x04");
    CHECK(p.wait_exit() == 3);
    CHECK(p.unread().ends_with("\r\n"));
  }
  auto balance = cli(c, {"balance", "1"});
  CHECK(has(balance.out, "$10.00"));  // the Ctrl-C'd transfer never went
  const std::filesystem::path history = std::filesystem::path(home) / ".bank_cli_history";
  REQUIRE(std::filesystem::exists(history));
  std::ifstream in(history);
  std::stringstream saved;
  saved << in.rdbuf();
  CHECK(has(saved.str(), "status"));
  CHECK(has(saved.str(), "verify"));
  CHECK_FALSE(has(saved.str(), "9.99"));
  struct stat st {};
  REQUIRE(::stat(history.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  {
    // A new prompt has the history: up arrow brings back the last line.
    PtyDriver p({BANK_CLI_BIN}, env);
    INFO("the terminal: " << p.screen());
    REQUIRE(p.wait_for("bank[1]> "));
    REQUIRE(p.wait_for_editing(true));
    p.type("\x1b[A\r");
    CHECK(p.wait_for("node 2  lamport"));  // "status --node 2", the last line
    REQUIRE(p.wait_for("bank[1]> "));
    REQUIRE(p.wait_for_editing(true));
    p.type("\x04");
    CHECK(p.wait_exit() == 0);
    CHECK(p.unread().ends_with("\r\n"));
  }
  std::filesystem::remove_all(home);
}

TEST_CASE("e2e: every program says its version") {
  for (const char* program : {BANK_CLI_BIN, BANK_NODE_BIN, BANK_KEYS_BIN, BANK_BENCH_BIN, BANK_TRACE_BIN, BANK_WEB_BIN}) {
    auto r = ClusterHarness::run({program, "--version"});
    const std::string name = std::filesystem::path(program).filename();
    CAPTURE(name);
    CHECK(r.exit_code == 0);
    CHECK(r.out == name + " " BANK_VERSION "\n");
  }
}
