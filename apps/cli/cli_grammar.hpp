// CliGrammar: bank-cli's one grammar. The words after `bank-cli` on a command line and the
// words of a line at its prompt are parsed by the same CLI11 app: the same commands, the
// same options (the console's anywhere, before or after the command), the same help and
// the same errors. Every command is a row of commands(): adding one is adding a row here
// and its handler in CliSession. Pure: no I/O, nothing read from the environment.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "messages/types.hpp"

namespace bank::cli {

// What a value must be; each is checked as the line is parsed (arguments.hpp).
enum class ValueKind { text, file, node_id, block_index, count, amount, seconds, event_number, event_count };

// An option of a command, or of the console (global_options()). No value_name: a flag.
struct OptionSpec {
  std::string name;        // "--from"
  std::string value_name;  // "INDEX"
  ValueKind kind = ValueKind::text;
  std::string help;
};

struct PositionalSpec {
  std::string name;  // "TO": its key in Invocation::values
  ValueKind kind = ValueKind::text;
  bool required = true;
  std::string help;
};

struct CommandSpec {
  std::string name;
  std::vector<std::string> aliases;
  std::string summary;
  std::vector<PositionalSpec> positionals = {};
  std::vector<OptionSpec> options = {};
  bool needs_node = true;  // sends requests to a node (nodes, help and quit do not)
};

// Parsed words: the command, and each value given, checked, as it was typed.
struct Invocation {
  std::string command;                        // "" when the words name none (the prompt)
  std::map<std::string, std::string> values;  // by positional name ("TO") or option name ("--from")
  std::set<std::string> flags;                // "--all", "--json"

  bool flag(const std::string& name) const { return flags.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  // These options and flags, with `over`'s winning: a prompt line over the command line's.
  Invocation with(const Invocation& over) const;
};

struct ParsedWords {
  enum class Kind { run, help, version, usage };
  Kind kind = Kind::usage;
  Invocation invocation;  // what to run (Kind::run)
  std::string text;       // the help, the version line, or the usage error (one line)
};

class CliGrammar {
 public:
  // Blocks `chain` shows without --limit or --all.
  static constexpr std::uint64_t default_chain_page = 20;

  static const std::vector<OptionSpec>& global_options();
  static const std::vector<CommandSpec>& commands();
  // By name or alias; nullptr when there is none.
  static const CommandSpec* find(std::string_view name);

  // The words after the program's name, or a prompt line's words.
  static ParsedWords parse(const std::vector<std::string>& words);
  // The help of everything (command ""), or of one command.
  static std::string help(std::string_view command = "");
  static std::string version();
  // A command's words in short: "transfer TO DOLLARS [--txid ID]".
  static std::string usage(const CommandSpec& command);

  // Tab at the prompt: the words that may stand where `partial` is being typed, after the
  // complete words `before`, in order (command names, option names, `nodes`' ids for a
  // value that is a node id); nullopt where a file name goes (the prompt offers files).
  static std::optional<std::vector<std::string>> completions(const std::vector<std::string>& before,
                                                             std::string_view partial, const std::vector<NodeId>& nodes);
};

}  // namespace bank::cli
