// ClusterConfig: loads and checks the cluster config (YAML, or JSON); docs/file-formats.md#cluster-config.
//
// Every refusal is a bank::Error whose id is one of these, and whose message is one sentence
// naming the key path (nodes are counted from 0: 'nodes[1].port') and the problem:
//
//   config.unreadable     the file cannot be opened or read (missing, a directory, no permission,
//                         larger than 1 MiB)
//   config.encoding       the text is not UTF-8, or holds a character YAML forbids (NUL, other
//                         control bytes)
//   config.syntax         not valid YAML/JSON (bad indentation, unclosed bracket, nesting deeper
//                         than yaml-cpp's 500 levels, an undefined alias), or more than one doc
//   config.not_a_map      the file is empty (or only comments), or its top level is not a map
//   config.unknown_key    a key the config does not know, e.g. 'nodes[1].prot', or a key that is
//                         not a plain name (null, or a list or map used as a key)
//   config.duplicate_key  one map gives the same key twice
//   config.missing_key    a required key is absent: initial_balance, nodes, and each node's id,
//                         host, port and console
//   config.type           a value of the wrong YAML kind: a map or list where a scalar belongs, a
//                         quoted string or a non-decimal where a number belongs, anything but
//                         true/false for a bool, null, an explicit tag such as !!int
//   config.money          initial_balance or a balance is not a plain amount of dollars with at
//                         most two decimals ("10", "10.1", "10.05"), or is above 10^15 dollars
//   config.id             a node id outside 1 .. 2^31-1
//   config.duplicate_id   two nodes share an id
//   config.host           a host that is empty, longer than 255, or holds characters outside
//                         [A-Za-z0-9._:[]-]
//   config.port           a port or console outside 1 .. 65535
//   config.duplicate_port one host (compared case-insensitively, not resolved) uses the same number
//                         twice among all its nodes' port and console values
//   config.no_nodes       nodes is an empty list (or null)
//   config.timeout        acquire_timeout_ms outside 1 .. 3600000
//   config.batch          batch outside 1 .. 10000
//   config.data_dir       data_dir is an empty string
//   config.hosting        hosting is neither one_thread nor thread_per_actor
//   config.keys_dir       keys_dir is an empty string
//   config.security       security is neither on nor off
//   config.log            log is not all, protocol or none
//
// parse_dollars on its own (also used at the console's edge) returns money.format or money.range;
// the config turns both into config.money naming the key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/result.hpp"
#include "messages/types.hpp"

namespace bank {

struct NodeConfig {
  NodeId id = 0;
  std::string host;
  std::uint16_t port = 0;
  std::uint16_t console = 0;
  Cents balance = 0;  // after loading: the opening balance (its override, else initial_balance)
  bool operator==(const NodeConfig&) const = default;
};

// How a node hosts its four actors: all on one thread (the default, measured faster on a
// small machine), or each on a thread of its own, talking over inproc ZeroMQ sockets.
enum class Hosting { one_thread, thread_per_actor };
// The names the config spells them with: "one_thread", "thread_per_actor".
std::string_view hosting_name(Hosting h);
std::optional<Hosting> parse_hosting(std::string_view name);

// Which peer messages the log shows as send/recv lines: every one; the protocol's (all but
// link upkeep: heartbeats and acks; the default); or none. The other events are always there.
enum class LogDetail { all, protocol, none };
// The names the config spells them with: "all", "protocol", "none".
std::string_view log_detail_name(LogDetail d);
std::optional<LogDetail> parse_log_detail(std::string_view name);

struct ClusterConfig {
  // The one source of these defaults; the cores' own defaults name them.
  static constexpr std::size_t kDefaultBatch = 64;
  static constexpr std::int64_t kDefaultAcquireTimeoutMs = 5000;

  Cents initial_balance = 0;
  std::filesystem::path data_dir;  // absolute after loading: resolved against the config's folder
  bool fsync = true;
  std::int64_t acquire_timeout_ms = kDefaultAcquireTimeoutMs;
  // The most queued transfers a node commits in one critical-section entry (one block each,
  // one fsync for all, sent with the release).
  std::size_t batch = kDefaultBatch;
  Hosting hosting = Hosting::one_thread;
  // Where the key files are (docs/security.md); absolute after loading, like data_dir.
  std::filesystem::path keys_dir;
  // CURVE links and consoles, access control and signed transfers. Off only when the config
  // says `security: off`, for trusted benchmarks: the node then warns at start.
  bool security = true;
  LogDetail log = LogDetail::protocol;
  std::vector<NodeConfig> nodes;  // sorted by id

  bool operator==(const ClusterConfig&) const = default;

  const NodeConfig* find(NodeId id) const;           // nullptr when unknown
  std::map<NodeId, Cents> opening_balances() const;  // id -> balance (override or initial_balance)
  std::filesystem::path node_dir(NodeId id) const;   // data_dir / "node-N"

  // Reads the file, then parse() with the file's folder as base_dir; config.unreadable if it
  // cannot read it.
  static Result<ClusterConfig> load(const std::filesystem::path& file);
  // Parses config text; a relative data_dir is resolved against base_dir (itself made absolute
  // against the working directory if relative). Never throws.
  static Result<ClusterConfig> parse(std::string_view text, const std::filesystem::path& base_dir);
};

// Dollars to cents, exactly: one or more digits (no leading zero unless the whole part is "0"),
// then optionally '.' and one or two digits. "10" -> 1000, "10.1" -> 1010, "0.05" -> 5.
// Refuses with money.format: "", ".5", "5.", "10.005", "-1", "+1", "1e3", "0x10", "010", " 1",
// "abc"; with money.range: anything above 10^15 dollars.
Result<Cents> parse_dollars(std::string_view text);

// Cents to dollars with exactly two decimals: 1010 -> "10.10", -5 -> "-0.05", 0 -> "0.00".
std::string format_dollars(Cents cents);

}  // namespace bank
