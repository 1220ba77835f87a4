// CliSession: runs bank-cli's parsed commands against a node. It finds the node (--config,
// else $BANK_CONFIG, else config/cluster.yaml; --node, else $BANK_NODE, else the config's
// lowest id) and the client's keys, sends the requests, prints the replies for people (or
// as they came, with --json), and returns the exit code each outcome means. Commands are
// rows of a handler table, beside the grammar's rows (cli_grammar.hpp).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "apps/cli/cli_grammar.hpp"
#include "client/console_client.hpp"
#include "config/cluster_config.hpp"

namespace bank::cli {

// bank-cli's exit codes: the reply is ok; it is not; bad usage or config; no answer.
enum Exit { exit_ok = 0, exit_not_ok = 1, exit_usage = 2, exit_no_answer = 3 };

// What the session reads from outside its command lines.
struct Environment {
  std::optional<std::string> config;  // $BANK_CONFIG
  std::optional<std::string> node;    // $BANK_NODE
  std::filesystem::path default_config;
};

// Where one command goes, and how.
struct Target {
  std::filesystem::path config_path;
  ClusterConfig config;
  NodeConfig node;
  bool default_node = false;  // chosen as the config's lowest id, not named
  std::optional<ConsoleKeys> keys;
  std::chrono::milliseconds timeout{10'000};
  bool json = false;
};

class CliSession {
 public:
  // A wait longer than this for a connection means nothing listens at the node's port.
  static constexpr std::chrono::milliseconds connect_within{1000};

  CliSession(zmq::context_t& ctx, Environment env);
  // What begins each line on stderr that is not a reply's: "bank-cli: " (the default), or a
  // piped line's number.
  void set_error_prefix(std::string prefix) { error_prefix_ = std::move(prefix); }
  // A wait for a reply gives up once `stop` returns true (Ctrl-C at the prompt).
  void stop_when(std::function<bool()> stop) { stop_ = std::move(stop); }

  // The node an invocation's options point to; errors name the config, node or key file.
  Result<Target> target(const Invocation& options);
  // Runs one command of the grammar that does its work here (not help or quit).
  int run(const Invocation& invocation);

 private:
  struct Exchanged {
    std::string raw;
    Result<ConsoleReply> reply;
  };
  using Handler = int (CliSession::*)(const Target&, const Invocation&);
  static const std::map<std::string, Handler>& handlers();

  int transfer(const Target& t, const Invocation& inv);
  int balance(const Target& t, const Invocation& inv);
  int chain(const Target& t, const Invocation& inv);
  int status(const Target& t, const Invocation& inv);
  int verify(const Target& t, const Invocation& inv);
  int metrics(const Target& t, const Invocation& inv);
  int events(const Target& t, const Invocation& inv);
  int watch(const Target& t, const Invocation& inv);
  // Waits `ms`, or less when the session is told to stop; false when it is.
  bool pause(std::chrono::milliseconds ms) const;
  int nodes(const Invocation& inv);

  // One request and its reply; the reason when none came.
  Result<Exchanged> exchange(const Target& t, const ConsoleRequest& request);
  // One request, its reply printed; the exit code.
  int ask(const Target& t, const ConsoleRequest& request);
  // Prints a reply (text or raw); the exit code.
  int show(const Target& t, const Exchanged& e);
  int no_reply(const Target& t, const Error& why);
  int usage_error(const std::string& message);
  std::filesystem::path config_path(const Invocation& options) const;
  Result<ClusterConfig> config(const std::filesystem::path& path);

  zmq::context_t& ctx_;
  Environment env_;
  std::string error_prefix_ = "bank-cli: ";
  std::function<bool()> stop_;
  std::map<std::filesystem::path, ClusterConfig> configs_;  // each read once
};

}  // namespace bank::cli
