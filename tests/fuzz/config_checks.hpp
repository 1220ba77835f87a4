// What the two cluster config targets check of every text: the loader is total and
// deterministic, every refusal is a config error with a one-line message, and every config
// it accepts keeps the rules docs/file-formats.md states.
#pragma once

#include <algorithm>
#include <string_view>

#include "config/cluster_config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace bank::fuzz {

// The folder a relative data_dir is resolved against: absolute, so nothing reads the
// working directory.
inline constexpr const char* kConfigBase = "/srv/bank";

inline void check_config(const Result<ClusterConfig>& loaded, std::string_view text) {
  expect_error_form(loaded, "config.");
  expect_alike(loaded, ClusterConfig::parse(text, kConfigBase), "the config loads the same twice");
  if (!loaded) {
    expect(loaded.error().message.find('\n') == std::string::npos, "a config error is one line");
    return;
  }
  const ClusterConfig& c = *loaded;
  constexpr Cents kMaxCents = 100'000'000'000'000'000;  // 10^15 dollars
  expect(c.initial_balance >= 0 && c.initial_balance <= kMaxCents, "initial_balance is in range");
  expect(c.data_dir.is_absolute(), "data_dir is absolute");
  expect(c.keys_dir.is_absolute(), "keys_dir is absolute");
  expect(c.batch >= 1 && c.batch <= 10'000, "batch is in range");
  expect(c.acquire_timeout_ms >= 1 && c.acquire_timeout_ms <= 3'600'000, "acquire_timeout_ms is in range");
  expect(!c.nodes.empty(), "a config has nodes");
  for (std::size_t i = 0; i < c.nodes.size(); ++i) {
    const NodeConfig& n = c.nodes[i];
    expect(n.id >= 1 && n.id <= 2'147'483'647, "a node id is in range");
    expect(i == 0 || c.nodes[i - 1].id < n.id, "nodes are sorted by id, each once");
    expect(!n.host.empty() && n.host.size() <= 255, "a host is 1 to 255 characters");
    expect(n.port >= 1 && n.console >= 1 && n.port != n.console, "ports are in range and differ");
    expect(n.balance >= 0 && n.balance <= kMaxCents, "a balance is in range");
    expect(c.find(n.id) == &n, "find() finds each node");
  }
}

}  // namespace bank::fuzz
