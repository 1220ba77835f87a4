// CliGrammar: the command table, a CLI11 app built from it for each parse (an app keeps
// state between parses; a fresh one per line starts every line clean), and the checks and
// messages that make a wrong line one readable sentence.
#include "apps/cli/cli_grammar.hpp"

#include <algorithm>
#include <cctype>

#include <CLI/CLI.hpp>

#include "apps/cli/arguments.hpp"

namespace bank::cli {

namespace {

const char* kDescription = "Lamport Bank console: asks one node of the cluster over its console port.";

template <class T>
std::optional<std::string> refused(const Result<T>& r) {
  return r ? std::nullopt : std::optional<std::string>(r.error().message);
}

// A value checked for its kind: the refusal, or nothing.
std::optional<std::string> refusal(ValueKind kind, const std::string& word) {
  switch (kind) {
    case ValueKind::text:
    case ValueKind::file: return std::nullopt;
    case ValueKind::node_id: return refused(parse_node_id(word));
    case ValueKind::block_index: return refused(parse_block_index(word));
    case ValueKind::count: return refused(parse_count(word));
    case ValueKind::amount: return refused(parse_amount(word));
    case ValueKind::seconds: return refused(parse_seconds(word));
    case ValueKind::event_number: return refused(parse_event_number(word));
    case ValueKind::event_count: return refused(parse_event_count(word));
  }
  return std::nullopt;
}

const OptionSpec* find_option(const std::vector<OptionSpec>& options, std::string_view name) {
  auto it = std::find_if(options.begin(), options.end(), [&](const OptionSpec& o) { return o.name == name; });
  return it == options.end() ? nullptr : &*it;
}

// "--timeout=5" names "--timeout".
std::string_view option_name(std::string_view word) { return word.substr(0, word.find('=')); }

// Where the command word is among `words`: the first word that is neither an option nor a
// console option's value. words.size() when there is none.
std::size_t command_position(const std::vector<std::string>& words) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.empty() || w[0] != '-' || w == "-") return i;
    const auto* o = find_option(CliGrammar::global_options(), option_name(w));
    if (o && !o->value_name.empty() && w.find('=') == std::string::npos) ++i;  // its value follows
  }
  return words.size();
}

// CLI11's sentence begun in lower case (unless it begins with a name in capitals), and its
// "--x: 1 required TEXT missing" said plainly.
std::string plain(std::string s) {
  const auto missing = s.find(": 1 required TEXT missing");
  if (missing != std::string::npos) return s.substr(0, missing) + " needs a value";
  if (s.size() > 1 && !std::isupper(static_cast<unsigned char>(s[1])))
    s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string command_names() {
  std::string names;
  for (const auto& c : CliGrammar::commands()) names += (names.empty() ? "" : ", ") + c.name;
  return names;
}

ParsedWords usage_error(std::string text) { return {.kind = ParsedWords::Kind::usage, .invocation = {}, .text = std::move(text)}; }

// One command's refusal: its name, what is wrong, and how its words go.
ParsedWords command_error(const CommandSpec& c, const std::string& what) {
  return usage_error(c.name + ": " + what + " (usage: " + CliGrammar::usage(c) + ")");
}

}  // namespace

std::optional<std::string> Invocation::value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

Invocation Invocation::with(const Invocation& over) const {
  Invocation merged = over;
  for (const auto& [name, v] : values) merged.values.emplace(name, v);  // emplace keeps over's
  merged.flags.insert(flags.begin(), flags.end());
  return merged;
}

const std::vector<OptionSpec>& CliGrammar::global_options() {
  static const std::vector<OptionSpec> options = {
      {"--config", "FILE", ValueKind::file, "cluster config (default: $BANK_CONFIG, else config/cluster.yaml)"},
      {"--node", "N", ValueKind::node_id, "node to ask (default: $BANK_NODE, else the config's lowest id)"},
      {"--key", "FILE", ValueKind::file, "client secret key (default: keys_dir/client-N.secret of node N's owner)"},
      {"--json", "", ValueKind::text, "print the node's reply as it came, JSON in cents"},
      {"--timeout", "SECONDS", ValueKind::seconds, "wait at most this long for a reply (default 10)"},
  };
  return options;
}

const std::vector<CommandSpec>& CliGrammar::commands() {
  static const std::vector<CommandSpec> table = {
      {"transfer",
       {},
       "pay node TO from this node's account",
       {{"TO", ValueKind::node_id, true, "the node to pay"},
        {"DOLLARS", ValueKind::amount, true, "the amount: 4, 4.50, .5 or $4.50"}},
       {{"--txid", "ID", ValueKind::text, "an id of yours, so that a retry never pays twice"}},
       true},
      {"balance", {}, "every account's balance, or account ID's", {{"ID", ValueKind::node_id, false, "one account"}}, {}, true},
      {"chain",
       {},
       "the last 20 blocks; with --from, 20 from there",
       {},
       {{"--from", "INDEX", ValueKind::block_index, "the first block to show"},
        {"--limit", "N", ValueKind::count, "show N blocks instead of 20"},
        {"--all", "", ValueKind::text, "every block, from --from (else genesis) to the head"}},
       true},
      {"status", {}, "the node's clock, height, head, queue and peers", {}, {}, true},
      {"verify", {}, "re-check the node's whole stored chain", {}, {}, true},
      {"metrics", {}, "the node's counters, gauges and histograms: how long entries waited and held, and why", {}, {}, true},
      {"events",
       {},
       "the protocol events the node keeps, numbered, oldest first",
       {},
       {{"--since", "SEQ", ValueKind::event_number, "only the events numbered above SEQ"},
        {"--limit", "N", ValueKind::event_count, "at most N events"},
        {"--follow", "", ValueKind::text, "keep printing new events as they come, like tail -f (Ctrl-C stops)"}},
       true},
      {"watch",
       {},
       "every node of the config at a glance, redrawn each second: state, holder, queue, heights, balances, "
       "rates (q or Ctrl-C quits)",
       {},
       {},
       true},
      {"nodes", {}, "the config's nodes: id host port console data-folder", {}, {}, false},
      {"help", {"?"}, "this help, or one command's", {{"COMMAND", ValueKind::text, false, "a command"}}, {}, false},
      {"quit", {"exit"}, "leave the prompt (so does Ctrl-D)", {}, {}, false},
  };
  return table;
}

const CommandSpec* CliGrammar::find(std::string_view name) {
  for (const auto& c : commands())
    if (c.name == name || std::find(c.aliases.begin(), c.aliases.end(), name) != c.aliases.end()) return &c;
  return nullptr;
}

std::string CliGrammar::version() { return "bank-cli " BANK_VERSION; }

std::string CliGrammar::usage(const CommandSpec& c) {
  std::string u = c.name;
  for (const auto& p : c.positionals) u += p.required ? " " + p.name : " [" + p.name + "]";
  for (const auto& o : c.options) u += " [" + o.name + (o.value_name.empty() ? "" : " " + o.value_name) + "]";
  return u;
}

std::string CliGrammar::help(std::string_view command) {
  if (const auto* c = command.empty() ? nullptr : find(command)) {
    std::string text = "usage: " + usage(*c) + "\n  " + c->summary + "\n";
    if (!c->aliases.empty()) {
      text += "  also:";
      for (const auto& a : c->aliases) text += " " + a;
      text += "\n";
    }
    for (const auto& p : c->positionals) {
      std::string left = p.required ? p.name : "[" + p.name + "]";
      text += "  " + left + std::string(left.size() < 20 ? 20 - left.size() : 1, ' ') + p.help + "\n";
    }
    for (const auto& o : c->options) {
      std::string left = o.name + (o.value_name.empty() ? "" : " " + o.value_name);
      text += "  " + left + std::string(left.size() < 20 ? 20 - left.size() : 1, ' ') + o.help + "\n";
    }
    return text + "It takes the console's options too (see help), before or after its words.\n";
  }
  std::string text = std::string(kDescription) +
                     "\n\nusage: bank-cli [OPTIONS] [COMMAND]   one command; without one, a prompt that takes"
                     "\n       the same commands and options, one a line (also from a pipe)\n\ncommands:\n";
  for (const auto& c : commands()) {
    std::string left = usage(c);
    for (const auto& a : c.aliases) left += ", " + a;
    text += "  " + left + std::string(left.size() < 42 ? 42 - left.size() : 1, ' ') + c.summary + "\n";
  }
  text += "\noptions, before or after the command:\n";
  for (const auto& o : global_options()) {
    std::string left = o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    text += "  " + left + std::string(left.size() < 20 ? 20 - left.size() : 1, ' ') + o.help + "\n";
  }
  text += "  --version           bank-cli's version\n  -h, --help          this help; COMMAND --help or help COMMAND: one command's\n";
  return text;
}

ParsedWords CliGrammar::parse(const std::vector<std::string>& words) {
  const std::size_t at = command_position(words);
  const CommandSpec* named = at < words.size() ? find(words[at]) : nullptr;
  if (at < words.size() && !named) return usage_error("not a command: " + words[at] + " (try: help)");

  CLI::App app{kDescription, "bank-cli"};
  app.set_version_flag("--version", version());
  app.allow_extras();
  app.require_subcommand(0, 1);
  // Each value's place; std::map keeps addresses as it grows.
  std::map<std::string, std::string> store;
  std::vector<std::pair<const OptionSpec*, CLI::Option*>> globals;
  for (const auto& o : global_options()) {
    auto* opt = o.value_name.empty() ? app.add_flag(o.name, o.help) : app.add_option(o.name, store[o.name], o.help);
    globals.emplace_back(&o, opt);
  }
  struct Bound {
    std::string name;
    ValueKind kind;
    bool flag;
    CLI::Option* option;
  };
  std::vector<Bound> bound;  // the named command's
  for (const auto& c : commands()) {
    auto* sub = app.add_subcommand(c.name, c.summary);
    for (const auto& a : c.aliases) sub->alias(a);
    sub->fallthrough();
    sub->allow_extras();
    if (&c != named) continue;
    for (const auto& p : c.positionals) {
      auto* opt = sub->add_option(p.name, store["\x1f" + p.name], p.help);
      if (p.required) opt->required();
      bound.push_back({p.name, p.kind, false, opt});
    }
    for (const auto& o : c.options) {
      const bool flag = o.value_name.empty();
      auto* opt = flag ? sub->add_flag(o.name, o.help) : sub->add_option(o.name, store["\x1f" + o.name], o.help);
      bound.push_back({o.name, o.kind, flag, opt});
    }
  }

  std::vector<std::string> reversed(words.rbegin(), words.rend());  // CLI11 takes them last first
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return {.kind = ParsedWords::Kind::help, .invocation = {}, .text = help(named ? named->name : "")};
  } catch (const CLI::CallForAllHelp&) {
    return {.kind = ParsedWords::Kind::help, .invocation = {}, .text = help(named ? named->name : "")};
  } catch (const CLI::CallForVersion&) {
    return {.kind = ParsedWords::Kind::version, .invocation = {}, .text = version()};
  } catch (const CLI::ParseError& e) {
    const std::string what = plain(e.what());
    return named ? command_error(*named, what) : usage_error(what + " (try: help)");
  }
  auto extras = app.remaining(true);
  if (!extras.empty()) {
    const std::string& first = extras.front();
    const bool option = first.size() > 1 && first[0] == '-' && !std::isdigit(static_cast<unsigned char>(first[1]));
    const std::string what = (option ? "unknown option " : "unexpected ") + ("'" + first + "'");
    return named ? command_error(*named, what) : usage_error(what + " (try: help)");
  }

  Invocation inv;
  inv.command = named ? named->name : "";
  for (const auto& [spec, opt] : globals) {
    if (opt->count() == 0) continue;
    if (spec->value_name.empty()) {
      inv.flags.insert(spec->name);
      continue;
    }
    const std::string& v = store[spec->name];
    if (auto why = refusal(spec->kind, v)) return usage_error(spec->name + ": " + *why);
    inv.values[spec->name] = v;
  }
  for (const auto& b : bound) {
    if (b.option->count() == 0) continue;
    if (b.flag) {
      inv.flags.insert(b.name);
      continue;
    }
    const std::string& v = store["\x1f" + b.name];
    if (auto why = refusal(b.kind, v))
      return usage_error(named->name + ": " + (b.name[0] == '-' ? b.name + " " : "") + *why);
    inv.values[b.name] = v;
  }
  if (inv.command == "chain" && inv.flag("--all") && inv.value("--limit"))
    return command_error(*named, "--all shows every block and takes no --limit");
  if (inv.command == "help") {
    auto topic = inv.value("COMMAND");
    if (topic && !find(*topic)) return usage_error("help: no command '" + *topic + "' (commands: " + command_names() + ")");
    return {.kind = ParsedWords::Kind::help, .invocation = {}, .text = help(topic ? find(*topic)->name : "")};
  }
  return {.kind = ParsedWords::Kind::run, .invocation = std::move(inv), .text = ""};
}

std::optional<std::vector<std::string>> CliGrammar::completions(const std::vector<std::string>& before,
                                                                std::string_view partial,
                                                                const std::vector<NodeId>& nodes) {
  std::vector<std::string> candidates;
  const std::size_t at = command_position(before);
  const CommandSpec* command = at < before.size() ? find(before[at]) : nullptr;
  const auto ids = [&] {
    for (NodeId id : nodes) candidates.push_back(std::to_string(id));
  };
  // The word before: an option waiting for its value?
  const OptionSpec* waiting = nullptr;
  if (!before.empty() && before.back().find('=') == std::string::npos) {
    waiting = find_option(global_options(), before.back());
    if (!waiting && command) waiting = find_option(command->options, before.back());
    if (waiting && waiting->value_name.empty()) waiting = nullptr;
  }
  if (waiting) {
    if (waiting->kind == ValueKind::file) return std::nullopt;
    if (waiting->kind == ValueKind::node_id) ids();
  } else if (!partial.empty() && partial[0] == '-') {
    for (const auto& o : global_options()) candidates.push_back(o.name);
    if (command)
      for (const auto& o : command->options) candidates.push_back(o.name);
    candidates.insert(candidates.end(), {"--help", "--version"});
  } else if (!command) {
    for (const auto& c : commands()) candidates.push_back(c.name);
  } else if (command->name == "help") {
    if (at + 1 == before.size())
      for (const auto& c : commands()) candidates.push_back(c.name);
  } else {
    // Which positional this word would be: count the command's words that are no options.
    std::size_t k = 0;
    for (std::size_t i = at + 1; i < before.size(); ++i) {
      const std::string& w = before[i];
      if (!w.empty() && w[0] == '-' && w.size() > 1 && !std::isdigit(static_cast<unsigned char>(w[1]))) {
        const auto* o = find_option(global_options(), option_name(w));
        if (!o) o = find_option(command->options, option_name(w));
        if (o && !o->value_name.empty() && w.find('=') == std::string::npos) ++i;
        continue;
      }
      ++k;
    }
    if (k < command->positionals.size() && command->positionals[k].kind == ValueKind::node_id) ids();
  }
  std::erase_if(candidates, [&](const std::string& c) { return !c.starts_with(partial); });
  return candidates;
}

}  // namespace bank::cli
