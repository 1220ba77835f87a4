// bank-cli: the human console over the console protocol (CONTRACT section 4).
//   bank-cli [--config FILE] --node N                    interactive prompt (or commands from a pipe)
//   bank-cli [--config FILE] --node N transfer 2 4.00    one command; dollars for humans
//   bank-cli [--config FILE] --node N balance [ID] | chain | status | verify
//   bank-cli [--config FILE] nodes                       the nodes of the config, one a line:
//                                                        id host port console data-folder
// --json prints the raw reply. Exit: 0 ok, 1 the reply is not ok, 2 bad usage or config,
// 3 the node did not answer within --timeout seconds.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <editline/readline.h>
#include <zmq.hpp>

#include "config/cluster_config.hpp"
#include "messages/console_message.hpp"

namespace {

using bank::Cents;
using nlohmann::json;

enum Exit { ok = 0, not_ok = 1, usage = 2, no_answer = 3 };

struct Target {
  bank::NodeConfig node;
  double timeout_s = 10;
  bool raw_json = false;
};

// One request, one reply; a fresh REQ socket each time, so a lost reply never wedges the next.
std::optional<json> ask(zmq::context_t& ctx, const Target& t, const json& request) {
  zmq::socket_t req(ctx, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.connect("tcp://" + t.node.host + ":" + std::to_string(t.node.console));
  auto text = request.dump();
  req.send(zmq::buffer(text), zmq::send_flags::none);
  zmq::pollitem_t item{req.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, std::chrono::milliseconds(static_cast<long>(t.timeout_s * 1000)));
  if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
  zmq::message_t reply;
  (void)req.recv(reply, zmq::recv_flags::none);
  auto j = json::parse(reply.to_string_view(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return json{{"ok", false}, {"status", "rejected"}, {"error", "the node's reply is not JSON"}};
  return j;
}

std::string money(const json& cents) { return "$" + bank::format_dollars(cents.get<Cents>()); }
std::string short_hash(const json& h) { return h.get<std::string>().substr(0, 8); }

void print_block_row(const json& b) {
  std::printf("%6llu  %s  ", static_cast<unsigned long long>(b["index"].get<std::uint64_t>()), short_hash(b["hash"]).c_str());
  if (b.contains("genesis")) {
    std::string opening;
    for (const auto& [id, c] : b["genesis"]["balances"].items()) opening += " " + id + "=" + money(c);
    std::printf("genesis:%s\n", opening.c_str());
  } else {
    const auto& tx = b["tx"];
    std::printf("%4u -> %-4u %12s  lamport %-8llu txid %s\n", tx["from"].get<unsigned>(), tx["to"].get<unsigned>(),
                money(tx["amount"]).c_str(), static_cast<unsigned long long>(tx["lamport"].get<std::uint64_t>()),
                tx["txid"].get<std::string>().c_str());
  }
}

// Prints a reply for people; returns the exit code it means.
int show(const std::string& cmd, const json& r, const Target& t) {
  if (t.raw_json) {
    std::printf("%s\n", r.dump().c_str());
    return r.value("ok", false) ? ok : not_ok;
  }
  if (!r.value("ok", false)) {
    std::fprintf(stderr, "%s: %s\n", r.value("status", std::string("error")).c_str(), r.value("error", std::string("")).c_str());
    return not_ok;
  }
  if (cmd == "transfer") {
    const auto& tx = r["block"]["tx"];
    std::printf("committed %s from %u to %u in block %llu (txid %s)\n", money(tx["amount"]).c_str(),
                tx["from"].get<unsigned>(), tx["to"].get<unsigned>(),
                static_cast<unsigned long long>(r["block"]["index"].get<std::uint64_t>()), r["txid"].get<std::string>().c_str());
  } else if (cmd == "balance" && r.contains("balances")) {
    for (const auto& [id, c] : r["balances"].items()) std::printf("node %-4s %12s\n", id.c_str(), money(c).c_str());
  } else if (cmd == "balance") {
    std::printf("node %-4u %12s\n", r["id"].get<unsigned>(), money(r["balance"]).c_str());
  } else if (cmd == "chain") {
    std::printf(" index  hash      transfer\n");
    for (const auto& b : r["blocks"]) print_block_row(b);
  } else if (cmd == "status") {
    std::printf("node %u  lamport %llu  height %llu  head %s\n", r["id"].get<unsigned>(),
                static_cast<unsigned long long>(r["lamport"].get<std::uint64_t>()),
                static_cast<unsigned long long>(r["height"].get<std::uint64_t>()), short_hash(r["head"]).c_str());
    std::string queue, peers;
    for (const auto& q : r["queue"]) queue += " (" + std::to_string(q["ts"].get<std::uint64_t>()) + "," + std::to_string(q["node"].get<unsigned>()) + ")";
    for (const auto& p : r["peers"])
      peers += " " + std::to_string(p["id"].get<unsigned>()) +
               (p.contains("refused") ? ":refused (" + p["refused"].get<std::string>() + ")"
                                      : p["connected"].get<bool>() ? ":up" : ":down");
    std::printf("queue:%s\npeers:%s\n", queue.empty() ? " empty" : queue.c_str(), peers.c_str());
  } else if (cmd == "verify") {
    std::printf("chain verified: height %llu\n", static_cast<unsigned long long>(r["height"].get<std::uint64_t>()));
  }
  return ok;
}

int run(zmq::context_t& ctx, const Target& t, const std::string& cmd, const json& request) {
  auto reply = ask(ctx, t, request);
  if (!reply) {
    std::fprintf(stderr, "node %u (%s:%u) did not answer within %g s\n", t.node.id, t.node.host.c_str(), t.node.console,
                 t.timeout_s);
    return no_answer;
  }
  return show(cmd, *reply, t);
}

std::optional<json> transfer_request(const std::string& to, const std::string& dollars, const std::string& txid) {
  char* end = nullptr;
  unsigned long id = std::strtoul(to.c_str(), &end, 10);
  if (to.empty() || *end || id == 0) {
    std::fprintf(stderr, "'%s' is not a node id\n", to.c_str());
    return std::nullopt;
  }
  auto cents = bank::parse_dollars(dollars);
  if (!cents || *cents <= 0) {
    std::fprintf(stderr, "'%s' is not a positive amount of dollars (like 4 or 4.50)\n", dollars.c_str());
    return std::nullopt;
  }
  json j{{"cmd", "transfer"}, {"to", id}, {"amount", *cents}};
  if (!txid.empty()) j["txid"] = txid;
  return j;
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
    int rc = ok;
    if (cmd == "quit" || cmd == "exit") break;
    if (cmd == "help") {
      std::printf("%s", help_text);
    } else if (cmd == "transfer" && (w.size() == 3 || w.size() == 4)) {
      auto req = transfer_request(w[1], w[2], w.size() == 4 ? w[3] : "");
      rc = req ? run(ctx, t, cmd, *req) : usage;
    } else if (cmd == "balance" && w.size() <= 2) {
      json req{{"cmd", "balance"}};
      if (w.size() == 2) req["id"] = std::strtoul(w[1].c_str(), nullptr, 10);
      rc = run(ctx, t, cmd, req);
    } else if (cmd == "chain" && w.size() <= 3) {
      json req{{"cmd", "chain"}};
      if (w.size() >= 2) req["from"] = std::strtoull(w[1].c_str(), nullptr, 10);
      if (w.size() == 3) req["limit"] = std::strtoull(w[2].c_str(), nullptr, 10);
      rc = run(ctx, t, cmd, req);
    } else if ((cmd == "status" || cmd == "verify") && w.size() == 1) {
      rc = run(ctx, t, cmd, json{{"cmd", cmd}});
    } else {
      std::fprintf(stderr, "not a command: %s (type help)\n", line.c_str());
      rc = usage;
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
  zmq::context_t ctx(1);
  if (transfer->parsed()) {
    auto req = transfer_request(to, dollars, txid);
    return req ? run(ctx, t, "transfer", *req) : usage;
  }
  if (balance->parsed()) {
    json req{{"cmd", "balance"}};
    if (balance_id) req["id"] = *balance_id;
    return run(ctx, t, "balance", req);
  }
  if (chain->parsed()) {
    json req{{"cmd", "chain"}};
    if (chain_from) req["from"] = *chain_from;
    if (chain_limit) req["limit"] = *chain_limit;
    return run(ctx, t, "chain", req);
  }
  if (status->parsed()) return run(ctx, t, "status", json{{"cmd", "status"}});
  if (verify->parsed()) return run(ctx, t, "verify", json{{"cmd", "verify"}});
  return interactive(ctx, t);
}
