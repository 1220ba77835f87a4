// CliGrammar: bank-cli's one grammar, for the command line and the prompt alike: commands
// and their values, options anywhere, help and version, one-line usage errors, and what
// Tab offers.
#include "apps/cli/cli_grammar.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace bank::cli;
using Words = std::vector<std::string>;
using Kind = ParsedWords::Kind;

namespace {

Invocation run(const Words& words) {
  auto p = CliGrammar::parse(words);
  INFO(p.text);
  REQUIRE(p.kind == Kind::run);
  return p.invocation;
}

std::string usage(const Words& words) {
  auto p = CliGrammar::parse(words);
  REQUIRE(p.kind == Kind::usage);
  CHECK(p.text.find('\n') == std::string::npos);  // one line
  return p.text;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("cli grammar: a command's values by name, options before or after the command") {
  auto t = run({"transfer", "2", "4.50", "--txid", "abc"});
  CHECK(t.command == "transfer");
  CHECK(t.values == std::map<std::string, std::string>{{"TO", "2"}, {"DOLLARS", "4.50"}, {"--txid", "abc"}});

  const Words before{"--node", "3", "--json", "--timeout", "2", "balance", "1"};
  const Words after{"balance", "1", "--node", "3", "--json", "--timeout", "2"};
  const Words mixed{"--json", "balance", "--node=3", "1", "--timeout", "2"};
  for (const Words& words : {before, after, mixed}) {
    auto b = run(words);
    CHECK(b.command == "balance");
    CHECK(b.value("ID") == "1");
    CHECK(b.value("--node") == "3");
    CHECK(b.value("--timeout") == "2");
    CHECK(b.flag("--json"));
  }

  auto c = run({"chain", "--from", "5", "--limit", "3"});
  CHECK(c.value("--from") == "5");
  CHECK(c.value("--limit") == "3");
  CHECK(run({"chain", "--all"}).flag("--all"));
  CHECK(run({"--node", "2"}).command.empty());  // no command: the prompt
  CHECK(run({}).command.empty());
  CHECK(run({"exit"}).command == "quit");
}

TEST_CASE("cli grammar: a prompt line's options win over the command line's") {
  auto base = run({"--node", "1", "--json", "--timeout", "5"});
  auto line = run({"balance", "--node", "2"});
  auto merged = base.with(line);
  CHECK(merged.command == "balance");
  CHECK(merged.value("--node") == "2");
  CHECK(merged.value("--timeout") == "5");
  CHECK(merged.flag("--json"));
}

TEST_CASE("cli grammar: help, ? and --version anywhere") {
  for (const Words& words : {Words{"help"}, Words{"?"}, Words{"--help"}, Words{"-h"}, Words{"--node", "2", "help"}}) {
    auto p = CliGrammar::parse(words);
    CHECK(p.kind == Kind::help);
    CHECK(has(p.text, "transfer TO DOLLARS [--txid ID]"));
    CHECK(has(p.text, "--timeout SECONDS"));
  }
  for (const Words& words : {Words{"help", "chain"}, Words{"chain", "--help"}, Words{"?", "chain"}}) {
    auto p = CliGrammar::parse(words);
    CHECK(p.kind == Kind::help);
    CHECK(has(p.text, "usage: chain [--from INDEX] [--limit N] [--all]"));
    CHECK_FALSE(has(p.text, "transfer"));
  }
  for (const Words& words : {Words{"--version"}, Words{"status", "--version"}}) {
    auto p = CliGrammar::parse(words);
    CHECK(p.kind == Kind::version);
    CHECK(p.text == "bank-cli " BANK_VERSION);
  }
  CHECK(has(usage({"help", "nope"}), "help: no command 'nope' (commands: transfer, balance, chain"));
}

TEST_CASE("cli grammar: wrong words are one line saying what is wrong") {
  CHECK(usage({"bogus"}) == "not a command: bogus (try: help)");
  CHECK(usage({"--node", "2", "bogus", "x"}) == "not a command: bogus (try: help)");
  CHECK(usage({"chain", "-1"}) == "chain: unexpected '-1' (usage: chain [--from INDEX] [--limit N] [--all])");
  CHECK(usage({"chain", "abc"}) == "chain: unexpected 'abc' (usage: chain [--from INDEX] [--limit N] [--all])");
  CHECK(usage({"chain", "--from", "-1"}) == "chain: --from '-1' is not a block index (a whole number from 0)");
  CHECK(usage({"chain", "--limit", "0"}) == "chain: --limit '0' is not a number of blocks (a whole number from 1)");
  CHECK(has(usage({"chain", "--all", "--limit", "5"}), "--all shows every block and takes no --limit"));
  CHECK(usage({"balance", "x"}) == "balance: 'x' is not a node id (a whole number from 1)");
  CHECK(usage({"transfer", "2", "0.001"}) == "transfer: '0.001': at most 2 decimals (an amount is dollars and cents)");
  CHECK(has(usage({"transfer", "2"}), "transfer: DOLLARS is required (usage: transfer TO DOLLARS [--txid ID])"));
  CHECK(has(usage({"transfer", "2", "4", "--txid"}), "transfer: --txid needs a value"));
  CHECK(has(usage({"transfer", "2", "4", "five"}), "transfer: unexpected 'five'"));
  CHECK(has(usage({"status", "--bogus"}), "status: unknown option '--bogus'"));
  CHECK(usage({"--timeout", "0", "status"}) ==
        "--timeout: '0' is not a number of seconds above 0 and at most 86400 (like 10 or 0.5)");
  CHECK(has(usage({"--timeout", "-1", "status"}), "'-1' is not a number of seconds"));
  CHECK(usage({"--node", "x"}) == "--node: 'x' is not a node id (a whole number from 1)");
  CHECK(has(usage({"--node"}), "--node needs a value"));
  // A command's own option is not the console's: it goes after the command.
  CHECK(has(usage({"--txid", "a", "transfer", "2", "3"}), "not a command: a"));
}

TEST_CASE("cli grammar: every command has a help and a usage, and names no alias twice") {
  std::set<std::string> names;
  for (const auto& c : CliGrammar::commands()) {
    CAPTURE(c.name);
    CHECK(names.insert(c.name).second);
    for (const auto& a : c.aliases) CHECK(names.insert(a).second);
    CHECK(CliGrammar::find(c.name) == &c);
    CHECK(has(CliGrammar::help(c.name), "usage: " + CliGrammar::usage(c)));
    CHECK(has(CliGrammar::help(), CliGrammar::usage(c)));
  }
}

TEST_CASE("cli grammar: Tab offers commands, options and node ids where they go") {
  const std::vector<bank::NodeId> nodes{1, 2, 3};
  auto offered = [&](const Words& before, std::string_view partial) {
    auto c = CliGrammar::completions(before, partial, nodes);
    REQUIRE(c.has_value());
    return *c;
  };
  CHECK(offered({}, "sta") == Words{"status"});
  CHECK(offered({}, "") == Words{"transfer", "balance", "chain", "status", "verify", "metrics", "events", "watch", "nodes", "help", "quit"});
  CHECK(offered({"--node", "2"}, "t") == Words{"transfer"});
  CHECK(offered({"transfer"}, "") == Words{"1", "2", "3"});
  CHECK(offered({"transfer", "2"}, "").empty());  // an amount: nothing to offer
  CHECK(offered({"balance"}, "2") == Words{"2"});
  CHECK(offered({"status", "--node"}, "") == Words{"1", "2", "3"});
  CHECK(offered({"transfer", "--txid", "x"}, "") == Words{"1", "2", "3"});
  CHECK(offered({"chain"}, "--l") == Words{"--limit"});
  CHECK(offered({}, "--j") == Words{"--json"});
  CHECK(offered({"help"}, "ch") == Words{"chain"});
  CHECK_FALSE(CliGrammar::completions({"--config"}, "", nodes).has_value());  // a file: the prompt's
}

TEST_CASE("cli grammar: metrics takes nothing, events its window and --follow") {
  CHECK(run({"metrics"}).command == "metrics");
  auto e = run({"events", "--since", "120", "--limit", "50", "--follow"});
  CHECK(e.command == "events");
  CHECK(e.values == std::map<std::string, std::string>{{"--since", "120"}, {"--limit", "50"}});
  CHECK(e.flag("--follow"));
  CHECK(run({"events", "--since", "0"}).value("--since") == "0");
  CHECK(has(usage({"events", "--since", "-1"}), "is not an event number"));
  CHECK(has(usage({"events", "--limit", "0"}), "is not a number of events"));
  CHECK(has(usage({"metrics", "now"}), "metrics:"));
}
