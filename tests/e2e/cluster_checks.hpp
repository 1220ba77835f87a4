// ClusterChecks: what every end-to-end scenario asserts at its end, computed from the
// outside (console replies, chains, log files) and independently of the product's code:
// identical chains with right hashes and links, balances equal to a replay, every committed
// reply in the chain exactly once and no aborted one, no overlapping critical sections.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cluster_harness.hpp"

namespace bank::e2e {

struct Outcome {
  int node = 0;
  nlohmann::json request;
  nlohmann::json reply;  // the final reply (committed or aborted) for the request
};

// SHA-256 of `text` in lowercase hex, computed here rather than by the node's code, so the
// tests check block hashes independently of it.
std::string sha256_hex(const std::string& text);

// Re-checks one chain (hashes, links, funds); returns the balances it adds up to.
std::map<std::string, long long> replay_chain(const nlohmann::json& blocks);

// Node `id`'s whole chain, page by page.
nlohmann::json chain_of(ClusterHarness& c, int node);

// The chains of all running nodes are prefixes of each other (they may grow meanwhile: a
// check under load).
void check_prefixes(ClusterHarness& c);

// Waits for one height, then checks the chains of all running nodes against each other, a
// replay, their balance and verify replies, and the outcomes. Returns the chain.
nlohmann::json check_cluster(ClusterHarness& c, const std::vector<Outcome>& outcomes, long long total);

// [cs_enter, cs_exit] intervals from every node's log never overlap. A process killed
// inside its critical section ends its interval with its last line (before the next start).
void check_critical_sections(const ClusterHarness& c);

}  // namespace bank::e2e
