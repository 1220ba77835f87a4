// bank-cli: the human console over the console protocol (docs/console-protocol.md#bank-cli).
//   bank-cli [OPTIONS] COMMAND     one command: transfer, balance, chain, status, verify, metrics,
//                                  events, nodes, help
//   bank-cli [OPTIONS]             a prompt taking the same commands and options, one a line
//                                  (or the lines of a pipe)
// One grammar for both (apps/cli/cli_grammar.hpp); bank-cli help lists it. Exit: 0 ok, 1 the
// reply is not ok, 2 bad usage or config, 3 the node did not answer; at the prompt or from a
// pipe, the worst of the commands run.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "apps/cli/cli_grammar.hpp"
#include "apps/cli/cli_session.hpp"
#include "apps/cli/prompt.hpp"
#include "apps/cli/shell_words.hpp"
#include "client/default_config.hpp"

namespace {

using namespace bank::cli;

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

// Commands from the prompt (a terminal) or a pipe, one a line, each with the options of
// the command line under its own. Blank lines and # comments are skipped.
int lines(CliSession& session, const Invocation& base) {
  auto target = session.target(base);
  if (!target) {
    std::fprintf(stderr, "bank-cli: %s\n", target.error().message.c_str());
    return exit_usage;
  }
  const bool tty = isatty(STDIN_FILENO);
  std::optional<Prompt> prompt;
  if (tty) {
    std::vector<bank::NodeId> ids;
    for (const auto& n : target->config.nodes) ids.push_back(n.id);
    prompt.emplace("bank[" + std::to_string(target->node.id) + "]> ", Prompt::default_history_file(), ids);
    session.stop_when(Prompt::interrupted);
    std::printf("node %u at %s:%u%s; help lists the commands, Tab completes, Ctrl-D leaves\n", target->node.id,
                target->node.host.c_str(), target->node.console,
                target->default_node ? " (the lowest id in the config)" : "");
  }
  int worst = exit_ok;
  for (long number = 1;; ++number) {
    std::string line;
    if (prompt) {
      auto typed = prompt->read();
      if (!typed) break;
      line = std::move(*typed);
    } else if (!std::getline(std::cin, line)) {
      break;
    }
    // A piped line's errors say which line; the prompt's are right above them.
    const std::string where = tty ? "" : "line " + std::to_string(number) + ": ";
    session.set_error_prefix(where);
    auto words = split_shell_words(line);
    if (words && words->empty()) continue;
    if (prompt) prompt->remember(line.substr(0, line.find_last_not_of(" \t") + 1));
    if (!words) {
      std::fprintf(stderr, "%s%s\n", where.c_str(), words.error().message.c_str());
      worst = std::max<int>(worst, exit_usage);
      continue;
    }
    auto parsed = CliGrammar::parse(*words);
    int rc = exit_ok;
    if (parsed.kind == ParsedWords::Kind::help || parsed.kind == ParsedWords::Kind::version) {
      std::printf("%s%s", parsed.text.c_str(), parsed.text.ends_with('\n') ? "" : "\n");
    } else if (parsed.kind == ParsedWords::Kind::usage) {
      std::fprintf(stderr, "%s%s\n", where.c_str(), parsed.text.c_str());
      rc = exit_usage;
    } else if (parsed.invocation.command.empty()) {
      std::fprintf(stderr, "%sno command on the line (try: help)\n", where.c_str());
      rc = exit_usage;
    } else if (parsed.invocation.command == "quit") {
      break;
    } else {
      rc = session.run(base.with(parsed.invocation));
    }
    std::fflush(stdout);
    worst = std::max(worst, rc);
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = CliGrammar::parse(std::vector<std::string>(argv + 1, argv + argc));
  switch (parsed.kind) {
    case ParsedWords::Kind::help:
    case ParsedWords::Kind::version:
      std::printf("%s%s", parsed.text.c_str(), parsed.text.ends_with('\n') ? "" : "\n");
      return exit_ok;
    case ParsedWords::Kind::usage:
      std::fprintf(stderr, "bank-cli: %s\n", parsed.text.c_str());
      return exit_usage;
    case ParsedWords::Kind::run: break;
  }
  zmq::context_t ctx(1);
  CliSession session(ctx, Environment{.config = env("BANK_CONFIG"), .node = env("BANK_NODE"),
                                      .default_config = bank::default_config_path()});
  const Invocation& inv = parsed.invocation;
  if (inv.command == "quit") return exit_ok;
  if (inv.command.empty()) return lines(session, inv);
  return session.run(inv);
}
