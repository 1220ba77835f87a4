// LedgerCore: appends, peer blocks, catch-up and ledger queries.
#include "actors/ledger/ledger_core.hpp"

namespace bank {

namespace {
template <class... F>
struct Overload : F... {
  using F::operator()...;
};
}  // namespace

LedgerCore::LedgerCore(NodeId self, Block genesis) : self_(self), chain_(std::move(genesis)) {}

void LedgerCore::step(const BusMessage& in, Outbox& out) {
  std::visit(Overload{[&](const Granted& g) {
                        lamport_ = std::max(lamport_, g.lamport);
                        out.push_back({Actor::bank, g});
                      },
                      [&](const Withdrawn& w) { out.push_back({Actor::bank, w}); },
                      [&](const Append& a) { append_own(a, out); },
                      [&](const ApplyBlocks& a) { apply_peer(a, out); },
                      [&](const PeerIn& p) { on_peer(p, out); },
                      [&](const ChainQuery& q) {
                        auto limit = q.cmd.limit.value_or(UINT64_MAX);
                        out.push_back({Actor::console, ConsoleOut{q.client, ChainReply{chain_.range(q.cmd.from, limit)}}});
                      },
                      [&](const VerifyQuery& q) {
                        auto r = Chain::verify(chain_.range(0, UINT64_MAX));
                        if (r) {
                          out.push_back({Actor::console, ConsoleOut{q.client, VerifyReply{*r}}});
                        } else {
                          out.push_back({Actor::console, ConsoleOut{q.client, FailureReply{"corrupt", r.error().message, {}}}});
                          out.push_back({Actor::log, LogOut{"error", lamport_, {{"error", r.error().message}}}});
                        }
                      },
                      [&](const StatusQuery& q) {
                        StatusQuery s = q;
                        s.reply.height = chain_.height();
                        s.reply.head = chain_.head();
                        out.push_back({Actor::console, ConsoleOut{q.client, std::move(s.reply)}});
                      },
                      [](const auto&) {}},
             in);
}

void LedgerCore::log_commit(const Block& b, Lamport lamport, Outbox& out) {
  out.push_back({Actor::log, LogOut{"commit", lamport,
                                    {{"index", b.index}, {"txid", b.tx->txid}, {"from", b.tx->from},
                                     {"to", b.tx->to}, {"amount", b.tx->amount}}}});
}

// Inside our critical section: each transfer is checked against the funds at its turn.
// The shell persists the new blocks before the release (which carries them) leaves.
void LedgerCore::append_own(const Append& a, Outbox& out) {
  lamport_ = std::max(lamport_, a.lamport);
  Committed done;
  done.own_exit = true;
  for (Tx tx : a.txs) {
    tx.lamport = a.lamport;
    Block b = chain_.next_block(tx);
    if (auto e = chain_.append(b)) {
      done.aborted.push_back({tx.txid, e->message});
      out.push_back({Actor::log, LogOut{"abort", lamport_, {{"txid", tx.txid}, {"reason", e->message}}}});
    } else {
      log_commit(b, lamport_, out);
      done.blocks.push_back(std::move(b));
    }
  }
  out.push_back({Actor::mutex, Release{a.req, done.blocks}});
  out.push_back({Actor::bank, std::move(done)});
}

void LedgerCore::apply_peer(const ApplyBlocks& a, Outbox& out) {
  lamport_ = std::max(lamport_, a.lamport);
  for (const Block& b : a.blocks) {
    if (b.index > chain_.height() + 1) {
      early_.emplace(b.index, std::pair{a.from, b});
    } else if (b.index <= chain_.height() && chain_.at(b.index).hash != b.hash) {
      out.push_back({Actor::log, LogOut{"error", lamport_,
                                        {{"error", "node " + std::to_string(a.from) + " sent a block " +
                                                       std::to_string(b.index) + " that differs from ours"}}}});
    } else if (b.index == chain_.height() + 1) {
      early_.emplace(b.index, std::pair{a.from, b});
    }
  }
  Committed done;
  for (auto it = early_.find(chain_.height() + 1); it != early_.end(); it = early_.find(chain_.height() + 1)) {
    auto [from, b] = std::move(it->second);
    early_.erase(it);
    if (auto e = chain_.append(b)) {
      out.push_back({Actor::log, LogOut{"error", lamport_,
                                        {{"error", "refused block " + std::to_string(b.index) + " from node " +
                                                       std::to_string(from) + ": " + e->message}}}});
      continue;
    }
    log_commit(b, lamport_, out);
    done.blocks.push_back(std::move(b));
  }
  if (!done.blocks.empty()) out.push_back({Actor::bank, std::move(done)});
}

// Catch-up: blocks fetched as history are checked as a chain (links, hashes, funds), not
// against the queue.
void LedgerCore::on_peer(const PeerIn& p, Outbox& out) {
  lamport_ = std::max(lamport_, p.lamport);
  if (const auto* s = std::get_if<SyncMsg>(&p.body)) {
    BlocksMsg answer{chain_.range(s->from, sync_batch), chain_.height()};
    out.push_back({Actor::mutex, PeerOut{p.from, 0, std::move(answer)}});
  } else if (const auto* b = std::get_if<BlocksMsg>(&p.body)) {
    std::vector<Block> fresh;
    for (const Block& blk : b->blocks)
      if (blk.index > chain_.height()) fresh.push_back(blk);
    apply_peer(ApplyBlocks{p.from, p.lamport, fresh}, out);
    if (b->height > chain_.height() && !b->blocks.empty() && b->blocks.back().index == chain_.height())
      out.push_back({Actor::mutex, PeerOut{p.from, 0, SyncMsg{chain_.height() + 1}}});
  }
}

}  // namespace bank
