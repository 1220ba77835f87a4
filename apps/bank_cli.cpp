// bank-cli: the human console over the console protocol (docs/console-protocol.md).
//   bank-cli [--config FILE] --node N                    interactive prompt (or commands from a pipe)
//   bank-cli [--config FILE] --node N transfer 2 4.00    one command; dollars for humans
//   bank-cli [--config FILE] --node N balance [ID] | chain | status | verify
//   bank-cli [--config FILE] nodes                       the nodes of the config, one a line:
//                                                        id host port console data-folder
// --key FILE names the client secret key to use (default keys_dir/client-N.secret, the owner
// of account N; another client's key may only read).
// --json prints the raw reply. Exit: 0 ok, 1 the reply is not ok, 2 bad usage or config,
// 3 the node did not answer within --timeout seconds.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <editline/readline.h>
#include <zmq.hpp>

#include "client/console_client.hpp"
#include "config/cluster_config.hpp"
#include "messages/console_message.hpp"

namespace {

using bank::Cents;

enum Exit { ok = 0, not_ok = 1, usage = 2, no_answer = 3 };

struct Target {
  bank::NodeConfig node;
  std::optional<bank::ConsoleKeys> keys;  // CURVE (security on)
  double timeout_s = 10;
  bool raw_json = false;
};

std::string money(Cents cents) { return "$" + bank::format_dollars(cents); }
std::string short_hash(const std::string& h) { return h.substr(0, 8); }
unsigned long long ull(std::uint64_t x) { return static_cast<unsigned long long>(x); }

// Balances in the order people have always seen them: by the account's id as text.
std::map<std::string, Cents> by_name(const bank::Balances& balances) {
  std::map<std::string, Cents> out;
  for (const auto& [id, cents] : balances) out[std::to_string(id)] = cents;
  return out;
}

void print_block_row(const bank::Block& b) {
  std::printf("%6llu  %s  ", ull(b.index), short_hash(b.hash).c_str());
  if (b.genesis) {
    std::string opening;
    for (const auto& [id, c] : by_name(*b.genesis)) opening += " " + id + "=" + money(c);
    std::printf("genesis:%s\n", opening.c_str());
  } else if (b.tx) {
    std::printf("%4u -> %-4u %12s  lamport %-8llu txid %s\n", b.tx->from, b.tx->to, money(b.tx->amount).c_str(),
                ull(b.tx->lamport), b.tx->txid.c_str());
  }
}

// Prints a reply for people; returns the exit code it means.
struct Show {
  int operator()(const bank::TransferDone& r) const {
    const auto& tx = *r.block.tx;
    std::printf("committed %s from %u to %u in block %llu (txid %s)%s\n", money(tx.amount).c_str(), tx.from, tx.to,
                ull(r.block.index), r.txid.c_str(),
                r.replay ? ": a replay of the earlier decision on this txid, nothing new was paid" : "");
    return ok;
  }
  int operator()(const bank::BalancesReply& r) const {
    for (const auto& [id, c] : by_name(r.balances)) std::printf("node %-4s %12s\n", id.c_str(), money(c).c_str());
    return ok;
  }
  int operator()(const bank::BalanceReply& r) const {
    std::printf("node %-4u %12s\n", r.id, money(r.balance).c_str());
    return ok;
  }
  int operator()(const bank::ChainReply& r) const {
    std::printf(" index  hash      transfer\n");
    for (const auto& b : r.blocks) print_block_row(b);
    return ok;
  }
  int operator()(const bank::StatusReply& r) const {
    std::printf("node %u  lamport %llu  height %llu  head %s\n", r.id, ull(r.lamport), ull(r.height),
                short_hash(r.head).c_str());
    std::string queue, peers;
    for (const auto& q : r.queue) queue += " (" + std::to_string(q.ts) + "," + std::to_string(q.node) + ")";
    for (const auto& p : r.peers)
      peers += " " + std::to_string(p.id) +
               (!p.refused.empty() ? ":refused (" + p.refused + ")" : p.connected ? ":up" : ":down");
    std::printf("queue:%s\npeers:%s\n", queue.empty() ? " empty" : queue.c_str(), peers.c_str());
    for (const auto& d : r.diverged)
      std::printf("DIVERGED from node %u at index %llu: transfers are refused until an operator repairs the data and "
                  "restarts\n",
                  d.peer, ull(d.index));
    return ok;
  }
  int operator()(const bank::VerifyReply& r) const {
    std::printf("chain verified: height %llu\n", ull(r.height));
    return ok;
  }
  int operator()(const bank::FailureReply& r) const {
    std::fprintf(stderr, "%s: %s\n", r.status.c_str(), r.error.c_str());
    return not_ok;
  }
};

int silent_node(const Target& t) {
  std::fprintf(stderr, "node %u (%s:%u) did not answer within %g s%s\n", t.node.id, t.node.host.c_str(), t.node.console,
               t.timeout_s, t.keys ? " (is it up, and does it know this client's key?)" : "");
  return no_answer;
}

// One request, one reply; a fresh REQ socket each time, so a lost reply never wedges the next.
// --json prints the node's reply as it came; the exit code still says whether it was ok.
int run(zmq::context_t& ctx, const Target& t, const bank::ConsoleRequest& request) {
  bank::ConsoleClient client(ctx, t.node.host, t.node.console, t.keys);
  auto timeout = std::chrono::milliseconds(static_cast<long>(t.timeout_s * 1000));
  if (t.raw_json) {
    auto bytes = client.ask_raw(bank::console_request_to_json(request).dump(), timeout);
    if (!bytes) return silent_node(t);
    std::printf("%s\n", bytes->c_str());
    auto reply = bank::decode_console_reply(*bytes, request);
    return reply && !std::holds_alternative<bank::FailureReply>(*reply) ? ok : not_ok;
  }
  auto reply = client.ask(request, timeout);
  if (!reply && reply.error().id == bank::ConsoleClient::kNoAnswer) return silent_node(t);
  if (!reply) return Show{}(bank::FailureReply{.status = "rejected",
                                               .error = "the node's reply is not a console reply: " + reply.error().message,
                                               .txid = std::nullopt});
  const auto* page = std::get_if<bank::ChainReply>(&*reply);
  if (!page || !page->next || std::get<bank::ChainCmd>(request).limit) return std::visit(Show{}, *reply);
  // A chain asked for without a limit is shown whole: the node answers a page at a time,
  // each saying where the next begins.
  Show{}(*page);
  for (auto next = page->next; next;) {
    auto more = client.ask(bank::ChainCmd{.from = *next, .limit = std::nullopt}, timeout);
    if (!more && more.error().id == bank::ConsoleClient::kNoAnswer) return silent_node(t);
    const auto* c = more ? std::get_if<bank::ChainReply>(&*more) : nullptr;
    if (!c) return more ? std::visit(Show{}, *more) : not_ok;
    for (const auto& b : c->blocks) print_block_row(b);
    next = c->next;
  }
  return ok;
}

// A node id as typed; a word that is no number reads as 0, which the node refuses.
std::optional<bank::NodeId> loose_id(const std::string& word) {
  unsigned long id = std::strtoul(word.c_str(), nullptr, 10);
  if (id > UINT32_MAX) {
    std::fprintf(stderr, "'%s' is not a node id\n", word.c_str());
    return std::nullopt;
  }
  return static_cast<bank::NodeId>(id);
}

std::optional<bank::ConsoleRequest> transfer_request(const std::string& to, const std::string& dollars,
                                                     const std::string& txid) {
  char* end = nullptr;
  unsigned long id = std::strtoul(to.c_str(), &end, 10);
  if (to.empty() || *end || id == 0 || id > UINT32_MAX) {
    std::fprintf(stderr, "'%s' is not a node id\n", to.c_str());
    return std::nullopt;
  }
  auto cents = bank::parse_dollars(dollars);
  if (!cents || *cents <= 0) {
    std::fprintf(stderr, "'%s' is not a positive amount of dollars (like 4 or 4.50)\n", dollars.c_str());
    return std::nullopt;
  }
  return bank::TransferCmd{.to = static_cast<bank::NodeId>(id),
                           .amount = *cents,
                           .txid = txid.empty() ? std::nullopt : std::optional<std::string>(txid)};
}

// The request an interactive line's words ask for; nullopt (said why) when they ask for none.
std::optional<bank::ConsoleRequest> line_request(const std::vector<std::string>& w, const std::string& line) {
  const std::string& cmd = w[0];
  if (cmd == "transfer" && (w.size() == 3 || w.size() == 4))
    return transfer_request(w[1], w[2], w.size() == 4 ? w[3] : "");
  if (cmd == "balance" && w.size() <= 2) {
    if (w.size() == 1) return bank::BalanceCmd{};
    auto id = loose_id(w[1]);
    if (!id) return std::nullopt;
    return bank::BalanceCmd{.id = *id};
  }
  if (cmd == "chain" && w.size() <= 3) {
    bank::ChainCmd c;
    if (w.size() >= 2) c.from = std::strtoull(w[1].c_str(), nullptr, 10);
    if (w.size() == 3) c.limit = std::strtoull(w[2].c_str(), nullptr, 10);
    return c;
  }
  if (cmd == "status" && w.size() == 1) return bank::StatusCmd{};
  if (cmd == "verify" && w.size() == 1) return bank::VerifyCmd{};
  std::fprintf(stderr, "not a command: %s (type help)\n", line.c_str());
  return std::nullopt;
}

const char* help_text =
    "commands:\n"
    "  transfer TO DOLLARS [TXID]   pay node TO from this node's account, e.g. transfer 2 4.00\n"
    "  balance [ID]                 every balance, or one\n"
    "  chain [FROM [LIMIT]]         the blocks, genesis first\n"
    "  status                       clock, height, queue and peers\n"
    "  verify                       re-check the whole chain\n"
    "  help, quit\n";

int interactive(zmq::context_t& ctx, const Target& t) {
  bool tty = isatty(STDIN_FILENO);
  std::string prompt = "bank[" + std::to_string(t.node.id) + "]> ";
  int worst = ok;
  if (tty) std::printf("connected to node %u at %s:%u; type help\n", t.node.id, t.node.host.c_str(), t.node.console);
  for (;;) {
    std::string line;
    if (tty) {
      char* raw = readline(prompt.c_str());
      if (!raw) break;
      line = raw;
      std::free(raw);
      if (!line.empty()) add_history(line.c_str());
    } else if (!std::getline(std::cin, line)) {
      break;
    }
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    if (w.empty()) continue;
    const std::string& cmd = w[0];
    if (cmd == "quit" || cmd == "exit") break;
    int rc = ok;
    if (cmd == "help") {
      std::printf("%s", help_text);
    } else {
      auto req = line_request(w, line);
      rc = req ? run(ctx, t, *req) : usage;
    }
    worst = std::max(worst, rc);
  }
  return worst;
}

std::filesystem::path default_config(const char* argv0) {
  std::filesystem::path here = "config/cluster.yaml";
  if (std::filesystem::exists(here)) return here;
  std::error_code ec;
  auto exe = std::filesystem::canonical("/proc/self/exe", ec);
  if (!ec) {
    auto beside = exe.parent_path().parent_path().parent_path() / "config/cluster.yaml";  // build/bin/ -> repo
    if (std::filesystem::exists(beside)) return beside;
  }
  (void)argv0;
  return here;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Lamport Bank console: talks to one node over its console port", "bank-cli"};
  std::string config_path;
  unsigned node_id = 0;
  Target t;
  app.add_option("--config", config_path, "cluster config (default config/cluster.yaml)");
  app.add_option("--node", node_id, "the node to talk to");
  app.add_flag("--json", t.raw_json, "print the node's raw JSON reply");
  std::string key_path;
  app.add_option("--key", key_path, "client secret key file (default: keys_dir/client-N.secret of the config)");
  app.add_option("--timeout", t.timeout_s, "seconds to wait for an answer (default 10)")->check(CLI::PositiveNumber);
  app.require_subcommand(0, 1);

  std::string to, dollars, txid;
  auto* transfer = app.add_subcommand("transfer", "pay node TO from this node's account");
  transfer->add_option("to", to, "the node to pay")->required();
  transfer->add_option("dollars", dollars, "the amount, in dollars (4 or 4.50)")->required();
  transfer->add_option("--txid", txid, "an id of yours, so a retry never pays twice");
  std::optional<unsigned> balance_id;
  auto* balance = app.add_subcommand("balance", "every balance, or node ID's");
  balance->add_option("id", balance_id, "one node's balance");
  std::optional<std::uint64_t> chain_from, chain_limit;
  auto* chain = app.add_subcommand("chain", "the blocks, genesis first");
  chain->add_option("--from", chain_from, "first block index");
  chain->add_option("--limit", chain_limit, "at most this many blocks");
  auto* status = app.add_subcommand("status", "clock, height, queue and peers");
  auto* verify = app.add_subcommand("verify", "re-check the whole chain");
  auto* nodes = app.add_subcommand("nodes", "list the nodes of the config");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "bank-cli: %s (try --help)\n", e.what());
    return usage;
  }
  std::filesystem::path path = config_path.empty() ? default_config(argv[0]) : std::filesystem::path(config_path);
  auto config = bank::ClusterConfig::load(path);
  if (!config) {
    std::fprintf(stderr, "bank-cli: %s: %s\n", path.c_str(), config.error().message.c_str());
    return usage;
  }
  if (nodes->parsed()) {
    for (const auto& n : config->nodes)
      std::printf("%u %s %u %u %s\n", n.id, n.host.c_str(), n.port, n.console, config->node_dir(n.id).c_str());
    return ok;
  }
  if (node_id == 0) {
    std::fprintf(stderr, "bank-cli: --node N is required (try --help)\n");
    return usage;
  }
  const auto* node = config->find(node_id);
  if (!node) {
    std::fprintf(stderr, "bank-cli: node %u is not in %s\n", node_id, path.c_str());
    return usage;
  }
  t.node = *node;
  std::optional<std::filesystem::path> key;
  if (!key_path.empty()) key = key_path;
  auto keys = bank::ConsoleClient::keys_for(*config, node->id, key);
  if (!keys) {
    std::fprintf(stderr, "bank-cli: %s\n", keys.error().message.c_str());
    return usage;
  }
  t.keys = *keys;
  zmq::context_t ctx(1);
  if (transfer->parsed()) {
    auto req = transfer_request(to, dollars, txid);
    return req ? run(ctx, t, *req) : usage;
  }
  if (balance->parsed()) return run(ctx, t, bank::BalanceCmd{.id = balance_id});
  if (chain->parsed()) return run(ctx, t, bank::ChainCmd{.from = chain_from.value_or(0), .limit = chain_limit});
  if (status->parsed()) return run(ctx, t, bank::StatusCmd{});
  if (verify->parsed()) return run(ctx, t, bank::VerifyCmd{});
  return interactive(ctx, t);
}
