// InvariantChecker: the checks, each naming the first node or transfer that breaks it.
#include "invariant_checker.hpp"

#include <algorithm>
#include <utility>

#include "actors/ledger/chain.hpp"

namespace bank::sim {

std::optional<std::string> InvariantChecker::after_event(const SimNodes& nodes, const SimStores& stores,
                                                         std::int64_t now, bool calm) {
  track_requests(nodes, now);
  int holders = 0;
  for (const auto& [id, n] : nodes)
    if (n->mutex.holding()) ++holders;
  if (holders > 1) return std::to_string(holders) + " nodes hold the critical section at once";
  // Every chain, of a running node or on a crashed node's disk, is a prefix of the longest
  // (with a planted fork: holds only planted blocks past the shared prefix).
  if (fork_) {
    if (auto broken = fork_after_event(stores)) return broken;
  } else {
    const MemoryBlockStore* longest = nullptr;
    for (const auto& [id, st] : stores)
      if (!longest || st->size() > longest->size()) longest = st.get();
    for (const auto& [id, st] : stores) {
      auto last = st->read(st->size() - 1, 1).front();
      if (longest->read(last.index, 1).front().hash != last.hash)
        return "node " + std::to_string(id) + "'s chain is not a prefix of the longest";
    }
  }
  for (const auto& [id, n] : nodes) {
    const Chain& c = n->ledger.chain();
    if (c.table().total() != total_) return "node " + std::to_string(id) + " does not conserve money";
    for (const auto& [acct, cents] : c.table().balances())
      if (cents < 0) return "account " + std::to_string(acct) + " is negative at node " + std::to_string(id);
    auto w = waiting_since_.find(id);
    // (A forked cluster grants nothing: every entry needs every node.)
    if (!fork_ && calm && w != waiting_since_.end() && now - std::max(w->second, calm_at_) > grant_bound_ms_)
      return "node " + std::to_string(id) + "'s request waited over " + std::to_string(grant_bound_ms_) +
             "ms on a calm network";
  }
  return std::nullopt;
}

// Since when each running node has wanted the critical section; a crash forgets it.
void InvariantChecker::track_requests(const SimNodes& nodes, std::int64_t now) {
  std::erase_if(waiting_since_, [&](const auto& w) { return !nodes.contains(w.first); });
  for (const auto& [id, n] : nodes) {
    bool waiting = n->mutex.state() == MutexCore::State::requested || n->mutex.wanted();
    if (!waiting) {
      waiting_since_.erase(id);
    } else if (!waiting_since_.contains(id)) {
      waiting_since_[id] = now;
    }
  }
}

// Every block at or above the fork index, on any disk, is one of the planted blocks there.
std::optional<std::string> InvariantChecker::fork_after_event(const SimStores& stores) const {
  for (const auto& [id, st] : stores) {
    for (std::uint64_t i = fork_->at; i < st->size(); ++i) {
      auto allowed = fork_->planted.find(i);
      if (allowed == fork_->planted.end() || !allowed->second.contains(st->read(i, 1).front().hash))
        return "node " + std::to_string(id) + " holds a block " + std::to_string(i) + " built on the planted fork";
    }
  }
  return std::nullopt;
}

namespace {
// Another client of the same node named the same txid for another transfer: `c` may be
// refused (rejected) for it, whichever of the two came first.
bool reuses_txid(const Workload& workload, const Workload::Client& c) {
  if (!c.cmd.txid) return false;
  for (const auto& other : workload.clients())
    if (other.node == c.node && other.cmd.txid == c.cmd.txid &&
        (other.cmd.to != c.cmd.to || other.cmd.amount != c.cmd.amount))
      return true;
  return false;
}
}  // namespace

std::optional<std::string> InvariantChecker::fork_at_end(const SimNodes& nodes, const Workload& workload,
                                                         SimResult& result) const {
  for (const auto& [id, n] : nodes) {
    const Chain& c = n->ledger.chain();
    std::set<NodeId> told;
    for (const auto& [peer, index] : n->ledger.diverged()) told.insert(peer);
    if (n->mutex.diverged() != told) return "node " + std::to_string(id) + "'s mutex was not told every divergence";
    if (n->bank.diverged().size() != told.size()) return "node " + std::to_string(id) + "'s bank was not told every divergence";
    for (const auto& [other, m] : nodes) {
      if (other == id) continue;
      const Chain& d = m->ledger.chain();
      const std::uint64_t common = std::min(c.height(), d.height());
      if (common < fork_->at || c.at(common).hash == d.at(common).hash) continue;
      if (told.empty())
        return "node " + std::to_string(id) + " never found a divergence, though node " + std::to_string(other) +
               "'s chain differs from its own at index " + std::to_string(common);
    }
  }
  if (!workload.all_answered()) return "transfers never answered:" + workload.unanswered();
  for (const auto& c : workload.clients()) {
    if (c.lost) {
      ++result.lost;
      continue;
    }
    const std::string status = c.reply.value("status", "");
    if (status == "timeout") {
      ++result.timeouts;
    } else if (status == "rejected" && c.reply.value("error", "").find("diverged") != std::string::npos) {
      ++result.rejected;
    } else if (status == "rejected" && reuses_txid(workload, c)) {
      ++result.conflicts;
    } else {
      return "a transfer on a forked cluster was answered " + c.reply.dump();
    }
  }
  return std::nullopt;
}

// A node's metrics, asked as the console asks them (bank -> ledger -> mutex -> network), add
// up although four cores keep them apart: each entry of the mutex was waited for and held
// once and is one entry of the ledger, whose blocks are the transfers the bank answered
// committed. Checked once the node is out of the critical section and every client of it
// has its answer (its incarnation's: a restart starts the counts again).
static std::optional<std::string> metrics_add_up(NodeId id, SimNode& n) {
  if (n.mutex.state() != MutexCore::State::idle) return std::nullopt;
  Outbox out;
  n.bank.step(ConsoleIn{0, MetricsCmd{}}, out);
  for (Actor next : {Actor::ledger, Actor::mutex, Actor::network}) {
    Outbox more;
    n.step(next, out.at(0).msg, more);
    out = std::move(more);
  }
  const auto& m = std::get<MetricsReply>(std::get<ConsoleOut>(out.at(0).msg).reply).metrics;
  const std::uint64_t entries = m.counters.at("cs_entries");
  const auto& per_entry = m.histograms.at("transfers_per_entry");
  const std::string who = "node " + std::to_string(id) + "'s metrics: ";
  if (m.histograms.at("cs_wait_us").count() != entries || m.histograms.at("cs_hold_us").count() != entries ||
      per_entry.count() != entries)
    return who + "the waits, holds and batches do not count every one of its " + std::to_string(entries) + " entries";
  if (per_entry.sum() != m.counters.at("transfers_committed"))
    return who + std::to_string(per_entry.sum()) + " transfers committed in entries, " +
           std::to_string(m.counters.at("transfers_committed")) + " answered committed";
  if (m.histograms.at("transfer_us").count() != m.counters.at("transfers_committed") + m.counters.at("transfers_aborted"))
    return who + "a decided transfer is not timed, or one is timed twice";
  if (m.gauges.at("height") != n.ledger.chain().height()) return who + "the height is not the chain's";
  return std::nullopt;
}

std::optional<std::string> InvariantChecker::at_end(const SimNodes& nodes, const Workload& workload, bool faults,
                                                    const BankOptions& bank, SimResult& result) const {
  if (fork_) return fork_at_end(nodes, workload, result);
  if (!workload.all_answered()) return "transfers never answered:" + workload.unanswered();
  for (const auto& [id, n] : nodes)
    if (auto broken = metrics_add_up(id, *n)) return broken;
  std::uint64_t height = nodes.begin()->second->ledger.chain().height();
  for (const auto& [id, n] : nodes) {
    const Chain& c = n->ledger.chain();
    if (c.height() != height) {
      std::string heights;
      for (const auto& [i, m] : nodes) {
        heights += " node " + std::to_string(i) + ": height " + std::to_string(m->ledger.chain().height()) + ", queue";
        for (const Stamp& q : m->mutex.queue()) heights += " (" + std::to_string(q.ts) + "," + std::to_string(q.node) + ")";
        heights += ";";
      }
      return "chains differ in height at the end:" + heights;
    }
    if (n->bank.table().balances() != c.table().balances())
      return "node " + std::to_string(id) + "'s bank and ledger disagree on balances at the end";
    auto v = Chain::verify(c.range(0, UINT64_MAX));
    if (!v) return "node " + std::to_string(id) + "'s chain fails verification: " + v.error().message;
  }
  const Chain& chain = nodes.begin()->second->ledger.chain();
  std::map<std::pair<NodeId, std::string>, Tx> in_chain;  // (from, txid) -> its transfer
  for (std::uint64_t i = 1; i <= chain.height(); ++i) {
    const Block block = chain.at(i);
    const Tx& tx = *block.tx;
    if (!in_chain.emplace(std::pair{tx.from, tx.txid}, tx).second) return "txid " + tx.txid + " is in the chain twice";
  }
  // A retry (same txid and parameters) answers what the first got.
  std::map<std::tuple<NodeId, std::string, NodeId, Cents>, std::string> outcome;
  for (const auto& c : workload.clients()) {
    if (c.lost) {
      ++result.lost;
      continue;
    }
    const auto& r = c.reply;
    std::string status = r.value("status", "");
    if (status == "timeout") {
      // A calm network answers a 3 s acquire timeout in time; short ones may expire in a
      // queue of seven nodes repairing lost frames.
      if (!faults && bank.acquire_timeout_ms >= 3000) return "a transfer timed out without partitions or crashes";
      ++result.timeouts;
      continue;
    }
    std::string txid = r.value("txid", "");
    auto block = in_chain.find({c.node, txid});
    bool in = block != in_chain.end();
    if (status == "committed") {
      ++result.committed;
      if (!in) return "committed transfer " + txid + " is not in the chain";
      if (block->second.to != c.cmd.to || block->second.amount != c.cmd.amount)
        return "a transfer of " + std::to_string(c.cmd.amount) + " cents to " + std::to_string(c.cmd.to) +
               " was told committed as txid " + txid + ", which the chain holds as " +
               std::to_string(block->second.amount) + " cents to " + std::to_string(block->second.to);
    } else if (status == "rejected") {
      if (!reuses_txid(workload, c)) return "unexpected reply " + r.dump();
      ++result.conflicts;
      continue;
    } else if (status == "aborted") {
      ++result.aborted;
      if (in) return "aborted transfer " + txid + " is in the chain";
    } else {
      return "unexpected reply " + r.dump();
    }
    if (c.cmd.txid) {
      auto [it, fresh] = outcome.emplace(std::tuple{c.node, *c.cmd.txid, c.cmd.to, c.cmd.amount}, status);
      if (!fresh && it->second != status) return "a retry of " + *c.cmd.txid + " changed its outcome";
    }
  }
  return std::nullopt;
}

}  // namespace bank::sim
