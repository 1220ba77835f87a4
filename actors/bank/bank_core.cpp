// BankCore: console requests, the transfer queue, batching and timeouts.
#include "actors/bank/bank_core.hpp"

#include <algorithm>

namespace bank {

namespace {
template <class... F>
struct Overload : F... {
  using F::operator()...;
};

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
                      [&](const Granted& g) { on_granted(g, out); },
                      [&](const Committed& c) { on_committed(c, out); },
                      [&](const Withdrawn& w) { on_withdrawn(w, out); },
                      [&](const RecallMiss& m) { on_new_transfer(m.client, *m.cmd.txid, m.cmd, out); },
                      [&](const Tick& t) { on_tick(t.now_ms, out); }, [](const auto&) {}},
             in);
}

void BankCore::answer(const std::vector<std::uint64_t>& clients, const ConsoleReply& reply, Outbox& out) {
  for (auto c : clients) out.push_back({Actor::console, ConsoleOut{c, reply}});
}

void BankCore::on_console(const ConsoleIn& c, Outbox& out) {
  auto reject = [&](std::string why) {
    out.push_back({Actor::console, ConsoleOut{c.client, FailureReply{"rejected", why, {}}}});
    out.push_back({Actor::log, LogOut{"error", 0, {{"error", why}}}});
  };
  std::visit(Overload{[&](const TransferCmd& t) {
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
                      [&](const StatusCmd&) { out.push_back({Actor::mutex, StatusQuery{c.client, {}}}); }},
             c.request);
}

BankCore::Pending* BankCore::find_pending(const std::string& txid) {
  for (auto& p : queue_)
    if (p.tx.txid == txid) return &p;
  auto it = in_cs_.find(txid);
  return it == in_cs_.end() ? nullptr : &it->second;
}

// A fresh txid never collides with one this node has seen decided or pending.
std::string BankCore::fresh_txid() {
  for (;;) {
    auto id = std::to_string(self_) + "-" + std::to_string(next_txid_++);
    if (!memory_.maybe_decided(id) && !find_pending(id)) return id;
  }
}

// A txid decided before answers its earlier outcome: an abort from memory, a commit from
// the block that holds it (the ledger reads it; a miss comes back to on_new_transfer).
void BankCore::on_transfer(std::uint64_t client, const TransferCmd& t, Outbox& out) {
  if (!t.txid) return on_new_transfer(client, fresh_txid(), t, out);
  if (auto reason = memory_.abort_reason(*t.txid)) {
    out.push_back({Actor::console, ConsoleOut{client, FailureReply{"aborted", *reason, *t.txid}}});
    return;
  }
  if (auto blocks = memory_.candidates(*t.txid); !blocks.empty()) {
    out.push_back({Actor::ledger, Recall{client, t, std::move(blocks)}});
    return;
  }
  on_new_transfer(client, *t.txid, t, out);
}

void BankCore::on_new_transfer(std::uint64_t client, const std::string& txid, const TransferCmd& t, Outbox& out) {
  if (Pending* p = find_pending(txid)) {
    // A retry of a transfer still under way waits for the same outcome; a different
    // transfer under a txid in use is refused.
    if (p->tx.to != t.to || p->tx.amount != t.amount) {
      std::string why = "txid " + txid + " is in use by another transfer";
      out.push_back({Actor::console, ConsoleOut{client, FailureReply{"rejected", why, {}}}});
      out.push_back({Actor::log, LogOut{"error", 0, {{"error", why}}}});
      return;
    }
    p->clients.push_back(client);
    return;
  }
  queue_.push_back(Pending{Tx{txid, self_, t.to, t.amount, 0}, {client}, now_ms_ + options_.acquire_timeout_ms});
  acquire_if_needed(out);
}

void BankCore::acquire_if_needed(Outbox& out) {
  if (state_ != State::idle || queue_.empty()) return;
  state_ = State::acquiring;
  out.push_back({Actor::mutex, Acquire{}});
}

void BankCore::on_granted(const Granted& g, Outbox& out) {
  state_ = State::in_cs;
  Append a{g.req, g.lamport, {}};
  while (!queue_.empty() && a.txs.size() < options_.max_batch) {
    a.txs.push_back(queue_.front().tx);
    in_cs_.emplace(queue_.front().tx.txid, std::move(queue_.front()));
    queue_.pop_front();
  }
  out.push_back({Actor::ledger, std::move(a)});
}

void BankCore::on_committed(const Committed& c, Outbox& out) {
  for (const Block& b : c.blocks) {
    table_.apply(*b.tx);
    if (b.tx->from != self_) continue;
    memory_.committed(b.tx->txid, b.index);
    if (auto it = in_cs_.find(b.tx->txid); it != in_cs_.end()) {
      answer(it->second.clients, TransferDone{b.tx->txid, b}, out);
      in_cs_.erase(it);
    }
  }
  for (const Aborted& a : c.aborted) {
    memory_.aborted(a.txid, a.reason);
    if (auto it = in_cs_.find(a.txid); it != in_cs_.end()) {
      answer(it->second.clients, FailureReply{"aborted", a.reason, a.txid}, out);
      in_cs_.erase(it);
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
  bool expired = std::any_of(queue_.begin(), queue_.end(), [&](const Pending& p) { return p.deadline_ms <= now; });
  if (expired) {
    state_ = State::withdrawing;
    out.push_back({Actor::mutex, Withdraw{}});
  }
}

// The mutex gave up our request: answer every transfer past its deadline; try again for
// the rest. A timed-out transfer was not decided, so a retry with its txid tries anew.
void BankCore::on_withdrawn(const Withdrawn& w, Outbox& out) {
  state_ = State::idle;
  std::string why = w.silent.empty() ? "the mutual exclusion was not granted in time"
                                     : "no answer in time from node" + std::string(w.silent.size() > 1 ? "s " : " ") +
                                           join_ids(w.silent);
  std::deque<Pending> keep;
  for (auto& p : queue_) {
    if (p.deadline_ms <= now_ms_)
      answer(p.clients, FailureReply{"timeout", why, p.tx.txid}, out);
    else
      keep.push_back(std::move(p));
  }
  queue_ = std::move(keep);
  acquire_if_needed(out);
}

}  // namespace bank
