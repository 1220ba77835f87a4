// BankCore: console requests, the transfer queue, batching and timeouts.
#include "actors/bank/bank_core.hpp"

#include <algorithm>

#include "messages/overload.hpp"

namespace bank {

namespace {
std::string join_ids(const std::vector<NodeId>& ids) {
  std::string s;
  for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? (i + 1 == ids.size() ? " and " : ", ") : "") + std::to_string(ids[i]);
  return s;
}
}  // namespace

BankCore::BankCore(NodeId self, Balances current, BankOptions options, TxidMemory memory)
    : self_(self), options_(options), table_(std::move(current)), memory_(std::move(memory)) {}

void BankCore::step(const BusMessage& in, Outbox& out) {
  std::visit(Overload{[&](const ConsoleIn& c) { on_console(c, out); },
                      [&](const Committed& c) { on_committed(c, out); },
                      [&](const Withdrawn& w) { on_withdrawn(w, out); },
                      [&](const RecallMiss& m) { look_up(m.client, m.cmd, m.checked, out); },
                      [&](const Diverged& d) { diverged_.push_back(d.divergence); },
                      [&](const ConsoleUnreadable& u) {
                        ++rejected_;
                        out.push_back({Actor::console, ConsoleOut{u.client, FailureReply{"rejected", u.error, {}}}});
                        out.push_back({Actor::log, LogOut{"error", 0, {{"error", "console: " + u.error}}}});
                      },
                      [&](const Tick& t) {
                        set_now_us(t.now_ms * 1000);
                        on_tick(t.now_ms, out);
                      },
                      [](const auto&) {}},
             in);
}

void BankCore::answer(const std::vector<std::uint64_t>& clients, const ConsoleReply& reply, Outbox& out) {
  for (auto c : clients) out.push_back({Actor::console, ConsoleOut{c, reply}});
}

void BankCore::reject(std::uint64_t client, const std::string& why, Outbox& out) {
  ++rejected_;
  out.push_back({Actor::console, ConsoleOut{client, FailureReply{"rejected", why, {}}}});
  out.push_back({Actor::log, LogOut{"error", 0, {{"error", why}}}});
}

// The bank's figures; the ledger, the mutex and the network add theirs on the way to the console.
void BankCore::metrics(std::uint64_t client, Outbox& out) const {
  MetricsQuery q{client, {}};
  q.reply.node = self_;
  auto& m = q.reply.metrics;
  m.counters["transfers_committed"] = committed_;
  m.counters["transfers_aborted"] = aborted_;
  m.counters["transfers_timed_out"] = timed_out_;
  m.counters["requests_rejected"] = rejected_;
  m.counters["requests_denied"] = denied_;
  m.gauges["pending_transfers"] = pending_.size();
  m.histograms.insert_or_assign("transfer_us", transfer_us_);
  out.push_back({Actor::ledger, std::move(q)});
}

void BankCore::on_console(const ConsoleIn& c, Outbox& out) {
  auto reject = [&](const std::string& why) { this->reject(c.client, why, out); };
  std::visit(Overload{[&](const TransferCmd& t) {
                        // Access: only the owner of this node's account spends it (the
                        // shell names the caller by its client key); other clients read.
                        if (c.caller && *c.caller != self_) {
                          std::string why = "client " + std::to_string(*c.caller) + " may only read at node " +
                                            std::to_string(self_) + "; a transfer from account " +
                                            std::to_string(self_) + " needs client " + std::to_string(self_) + "'s key";
                          ++denied_;
                          out.push_back({Actor::console, ConsoleOut{c.client, FailureReply{"denied", why, {}}}});
                          out.push_back({Actor::log, LogOut{"error", 0, {{"error", "denied: " + why}}}});
                          return;
                        }
                        if (t.to == self_) return reject("an account cannot pay itself");
                        if (!table_.knows(t.to)) return reject("account " + std::to_string(t.to) + " does not exist");
                        on_transfer(c.client, t, out);
                      },
                      [&](const BalanceCmd& b) {
                        if (!b.id) {
                          out.push_back({Actor::console, ConsoleOut{c.client, BalancesReply{table_.balances()}}});
                        } else if (!table_.knows(*b.id)) {
                          reject("account " + std::to_string(*b.id) + " does not exist");
                        } else {
                          out.push_back({Actor::console, ConsoleOut{c.client, BalanceReply{*b.id, table_.balance(*b.id)}}});
                        }
                      },
                      [&](const ChainCmd& q) { out.push_back({Actor::ledger, ChainQuery{c.client, q}}); },
                      [&](const VerifyCmd&) { out.push_back({Actor::ledger, VerifyQuery{c.client}}); },
                      [&](const StatusCmd&) {
                        StatusQuery q{c.client, {}};
                        q.reply.security_off = options_.security_off;
                        out.push_back({Actor::mutex, std::move(q)});
                      },
                      [&](const MetricsCmd&) { metrics(c.client, out); },
                      [&](const EventsCmd& e) { out.push_back({Actor::console, EventsQuery{c.client, e}}); }},
             c.request);
}

BankCore::Pending* BankCore::find_pending(const std::string& txid) {
  auto it = pending_.find(txid);
  return it == pending_.end() ? nullptr : &it->second;
}

// A fresh txid never collides with one this node has seen decided or pending.
std::string BankCore::fresh_txid() {
  for (;;) {
    auto id = std::to_string(self_) + "-" + std::to_string(next_txid_++);
    if (!memory_.maybe_decided(id) && !find_pending(id)) return id;
  }
}

// A txid decided before answers its earlier outcome: an abort from memory, a commit from
// the block that holds it (the ledger reads the candidates; a miss comes back here).
void BankCore::on_transfer(std::uint64_t client, const TransferCmd& t, Outbox& out) {
  if (!t.txid) return on_new_transfer(client, fresh_txid(), t, out);
  look_up(client, t, {}, out);
}

// `checked`: the blocks the ledger already found not to hold this txid. While it looked, a
// transfer with this txid may have been staged (another client's retry: join it) or
// committed (a new candidate: look again); taking a miss as final then would pay twice.
void BankCore::look_up(std::uint64_t client, const TransferCmd& t, const std::vector<std::uint64_t>& checked,
                       Outbox& out) {
  const std::string& txid = *t.txid;
  if (auto reason = memory_.abort_reason(txid)) {
    out.push_back({Actor::console, ConsoleOut{client, FailureReply{"aborted", *reason, txid}}});
    return;
  }
  // Pending: not decided yet, whatever the memory's keys say (a retry joins it).
  if (find_pending(txid)) return on_new_transfer(client, txid, t, out);
  if (auto blocks = memory_.candidates(txid); blocks != checked) {
    out.push_back({Actor::ledger, Recall{client, t, std::move(blocks)}});
    return;
  }
  on_new_transfer(client, txid, t, out);
}

void BankCore::on_new_transfer(std::uint64_t client, const std::string& txid, const TransferCmd& t, Outbox& out) {
  if (Pending* p = find_pending(txid)) {
    // A retry of a transfer still under way waits for the same outcome; a different
    // transfer under a txid in use is refused.
    if (p->tx.to != t.to || p->tx.amount != t.amount)
      return reject(client,
                    "txid " + txid + " is in use by another transfer, still under way: " + std::to_string(p->tx.amount) +
                        " cents to " + std::to_string(p->tx.to) + " (a txid names one transfer: use a new one)",
                    out);
    p->clients.push_back(client);
    return;
  }
  if (!diverged_.empty()) {
    // A txid decided before still gets its outcome (look_up, before this); a new transfer
    // would never get the critical section, nor should it.
    std::string why = "this node's chain diverged from ";
    for (std::size_t i = 0; i < diverged_.size(); ++i)
      why += (i ? " and " : "") + std::string("node ") + std::to_string(diverged_[i].peer) + "'s at index " +
             std::to_string(diverged_[i].index);
    why += ": an operator must repair the data and restart the nodes; until then transfers are refused";
    return reject(client, why, out);
  }
  Tx tx{txid, self_, t.to, t.amount, 0};
  pending_.emplace(txid, Pending{tx, {client}, now_ms_ + options_.acquire_timeout_ms, now_us_});
  out.push_back({Actor::ledger, Stage{std::move(tx)}});
  acquire_if_needed(out);
}

void BankCore::acquire_if_needed(Outbox& out) {
  if (state_ != State::idle || pending_.empty()) return;
  state_ = State::acquiring;
  out.push_back({Actor::ledger, Acquire{}});
}

void BankCore::on_committed(const Committed& c, Outbox& out) {
  for (const Block& b : c.blocks) {
    table_.apply(*b.tx);
    memory_.committed(b.tx->txid, b.index);  // every payer's: a txid names one transfer
    if (b.tx->from != self_) continue;
    if (auto it = pending_.find(b.tx->txid); it != pending_.end()) {
      ++committed_;
      transfer_us_.observe_span(it->second.arrived_us, now_us_);
      answer(it->second.clients, TransferDone{.txid = b.tx->txid, .block = b}, out);
      pending_.erase(it);
    }
  }
  for (const Aborted& a : c.aborted) {
    memory_.aborted(a.txid, a.reason);
    if (auto it = pending_.find(a.txid); it != pending_.end()) {
      ++aborted_;
      transfer_us_.observe_span(it->second.arrived_us, now_us_);
      answer(it->second.clients, FailureReply{"aborted", a.reason, a.txid}, out);
      pending_.erase(it);
    }
  }
  if (c.own_exit) {
    state_ = State::idle;
    acquire_if_needed(out);
  }
}

void BankCore::on_tick(std::int64_t now, Outbox& out) {
  now_ms_ = now;
  if (state_ != State::acquiring) return;
  bool expired = std::any_of(pending_.begin(), pending_.end(), [&](const auto& p) { return p.second.deadline_ms <= now; });
  if (expired) {
    state_ = State::withdrawing;
    out.push_back({Actor::ledger, Withdraw{}});
  }
}

// The mutex gave up our request: answer every transfer past its deadline and take it back
// from the ledger; try again for the rest. A timed-out transfer was not decided, so a retry
// with its txid tries anew. The Unstage reaches the ledger before our next Acquire (one
// pipe), so no later grant can append what we answered `timeout`.
void BankCore::on_withdrawn(const Withdrawn& w, Outbox& out) {
  state_ = State::idle;
  std::string why = w.silent.empty() ? "the mutual exclusion was not granted in time"
                                     : "no answer in time from node" + std::string(w.silent.size() > 1 ? "s " : " ") +
                                           join_ids(w.silent);
  if (w.unreachable)
    why = "did not wait: node" + std::string(w.silent.size() > 1 ? "s " : " ") + join_ids(w.silent) +
          (w.silent.size() > 1 ? " are" : " is") +
          " down (silent past the failure-detection time), and every critical section needs every node's "
          "reply; nothing was appended, retry once it is back";
  Unstage gone;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (!w.unreachable && it->second.deadline_ms > now_ms_) {
      ++it;
      continue;
    }
    ++timed_out_;
    answer(it->second.clients, FailureReply{"timeout", why, it->first}, out);
    gone.txids.push_back(it->first);
    it = pending_.erase(it);
  }
  if (!gone.txids.empty()) out.push_back({Actor::ledger, std::move(gone)});
  acquire_if_needed(out);
}

}  // namespace bank
