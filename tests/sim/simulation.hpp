// Simulation: one seeded run of a whole cluster of SimNodes over a simulated network that
// delays, reorders, drops and duplicates frames, cuts partitions, and crashes and restarts
// nodes over stores that lose what was not synced, under a random workload of transfers.
// Invariants are checked after every step; the first violation ends the run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/mutex/mutex_core.hpp"

namespace bank::sim {

// One line of a node's structured log, as bank-node writes it.
struct SimLogLine {
  NodeId node = 0;
  std::string text;  // with its newline
};

struct SimOptions {
  std::uint64_t seed = 1;
  MutexCore::EntryRule rule = &MutexCore::lamport_rule;
  bool verbose = false;  // print the schedule's shape and every client outcome
  // Plant a fork before the start: two nodes hold different blocks from one index on (a
  // shared prefix below it), the others a part of that prefix. The checker then requires that
  // the fork is found and never built on (see InvariantChecker::Fork).
  bool plant_fork = false;
  // A bug planted to show the checker catches it (bank-sim --plant): none; every store's sync
  // makes nothing durable; the bank's Unstage of timed-out transfers never reaches the ledger.
  enum class Plant { none, no_sync, keep_timed_out };
  Plant plant = Plant::none;
  // When set, receives every node's log lines as bank-node would write them with the
  // default `log: protocol` (messages/log_line), a `start` line at each boot included, `ts` being the simulated time counted
  // from the Unix epoch and made unique by a microsecond where lines share a millisecond:
  // what bank-sim --trace draws and --logs writes. The run is the same with or without.
  std::vector<SimLogLine>* log_lines = nullptr;
};

struct SimResult {
  std::optional<std::string> violation;  // the first invariant broken, in one sentence
  std::uint64_t trace_hash = 0;          // over every log line and console reply, in order, and the chain heads at the end
  std::size_t nodes = 0;
  std::size_t transfers = 0;
  std::size_t committed = 0;
  std::size_t aborted = 0;
  std::size_t timeouts = 0;  // only where the schedule crashed a node or cut the network (or forked)
  std::size_t rejected = 0;  // refused for a divergence (fork runs)
  std::size_t conflicts = 0;  // refused for a txid another transfer of the workload used
  std::size_t lost = 0;      // requests whose node crashed before answering
  std::size_t crashes = 0;
  std::size_t partitions = 0;
  std::size_t frames = 0;
  std::int64_t sim_ms = 0;
};

SimResult run_simulation(const SimOptions& options);

// The old Python client's rule, for the test that proves the checker catches it: enter as
// soon as every peer has answered, ignoring the queue.
bool replies_only_rule(const MutexCore& m);

}  // namespace bank::sim
