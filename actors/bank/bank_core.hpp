// BankCore: the bank actor's pure core. Takes console requests, checks their meaning,
// stages transfers at the ledger (which appends them when granted, up to its batch) and
// asks for the critical section; answers each client with its outcome; withdraws and
// answers `timeout` when the grant does not come within the acquire timeout. Once the
// ledger has found our chain diverged from a peer's, new transfers are refused (`rejected`,
// naming the peer and the index) until an operator repairs the data and restarts.
//
// Metrics (docs/console-protocol.md#metrics): transfers by outcome, refused requests, and
// how long each decided transfer took from its arrival here to its answer, on the time the
// host gives each step (set_now_us). `metrics` and `events` are reads, open to every known
// client: the first goes down the line for each core's figures, the second to the bank
// shell, which keeps the feed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain/balance_table.hpp"
#include "actors/bank/txid_memory.hpp"
#include "config/cluster_config.hpp"
#include "messages/bus_message.hpp"

namespace bank {

struct BankOptions {
  std::int64_t acquire_timeout_ms = ClusterConfig::kDefaultAcquireTimeoutMs;
  bool security_off = false;  // status says so
};

class BankCore {
 public:
  // `current`: the balances of the chain as loaded; `memory`: the txids decided before.
  BankCore(NodeId self, Balances current, BankOptions options, TxidMemory memory = {});

  void step(const BusMessage& in, Outbox& out);
  // The time of the input about to be stepped, in microseconds on the host's monotonic clock
  // (the one Tick counts on; a Tick sets it too): for metrics only. It never moves back.
  void set_now_us(std::int64_t now_us) { now_us_ = std::max(now_us_, now_us); }

  const BalanceTable& table() const { return table_; }
  const TxidMemory& memory() const { return memory_; }
  std::size_t pending() const { return pending_.size(); }
  const std::vector<Divergence>& diverged() const { return diverged_; }

 private:
  struct Pending {
    Tx tx;
    std::vector<std::uint64_t> clients;
    std::int64_t deadline_ms = 0;
    std::int64_t arrived_us = 0;
  };

  void on_console(const ConsoleIn& c, Outbox& out);
  void on_transfer(std::uint64_t client, const TransferCmd& t, Outbox& out);
  void on_new_transfer(std::uint64_t client, const std::string& txid, const TransferCmd& t, Outbox& out);
  void look_up(std::uint64_t client, const TransferCmd& t, const std::vector<std::uint64_t>& checked, Outbox& out);
  void on_committed(const Committed& c, Outbox& out);
  void on_withdrawn(const Withdrawn& w, Outbox& out);
  void on_tick(std::int64_t now, Outbox& out);
  void acquire_if_needed(Outbox& out);
  void answer(const std::vector<std::uint64_t>& clients, const ConsoleReply& reply, Outbox& out);
  void reject(std::uint64_t client, const std::string& why, Outbox& out);
  void metrics(std::uint64_t client, Outbox& out) const;
  std::string fresh_txid();
  Pending* find_pending(const std::string& txid);

  // acquiring: from Acquire until our critical section ends (Committed with own_exit) or
  // the request is withdrawn; the bank does not see the grant itself.
  enum class State { idle, acquiring, withdrawing };

  NodeId self_;
  BankOptions options_;
  BalanceTable table_;
  TxidMemory memory_;
  std::map<std::string, Pending> pending_;  // staged at the ledger, outcome not yet known
  State state_ = State::idle;
  std::int64_t now_ms_ = 0;
  std::uint64_t next_txid_ = 1;
  std::vector<Divergence> diverged_;  // as the ledger found them, in order

  // Metrics.
  std::int64_t now_us_ = 0;
  std::uint64_t committed_ = 0, aborted_ = 0, timed_out_ = 0, rejected_ = 0, denied_ = 0;
  Histogram transfer_us_{Histogram::kMicros};  // arrival -> committed or aborted answer
};

}  // namespace bank
