// LedgerCore: appends, peer blocks, catch-up and ledger queries.
#include "actors/ledger/ledger_core.hpp"

#include <algorithm>

#include "messages/json/json_text.hpp"
#include "messages/overload.hpp"

namespace bank {

LedgerCore::LedgerCore(NodeId self, Chain chain, std::size_t batch, std::optional<Signer> signer)
    : self_(self), chain_(std::move(chain)), batch_(std::max<std::size_t>(batch, 1)), signer_(std::move(signer)) {}

void LedgerCore::step(const BusMessage& in, Outbox& out) {
  std::visit(Overload{[&](const Granted& g) {
                        lamport_ = std::max(lamport_, g.lamport);
                        held_grant_ = g;
                        catch_up(out);
                      },
                      [&](const Withdrawn& w) { out.push_back({Actor::bank, w}); },
                      [&](const Stage& s) { staged_.push_back(s.tx); },
                      [&](const Unstage& u) {
                        std::erase_if(staged_, [&](const Tx& tx) {
                          return std::find(u.txids.begin(), u.txids.end(), tx.txid) != u.txids.end();
                        });
                      },
                      [&](const Acquire& a) { out.push_back({Actor::mutex, a}); },
                      [&](const Withdraw& w) { out.push_back({Actor::mutex, w}); },
                      [&](const Tick&) {
                        sync();
                        catch_up_.promote(chain_.height());
                        catch_up(out);
                      },
                      [&](const ApplyBlocks& a) {
                        apply_peer(a, true, out);
                        catch_up(out);
                      },
                      [&](const PeerIn& p) { on_peer(p, out); },
                      [&](const PeerHeight& h) { on_height(h, out); },
                      [&](const ChainQuery& q) {
                        // One page at most (max_chain_page), and where to go on from.
                        auto limit = std::min(q.cmd.limit.value_or(max_chain_page), max_chain_page);
                        ChainReply page{chain_.range(q.cmd.from, limit)};
                        std::uint64_t after = q.cmd.from + page.blocks.size();
                        if (!page.blocks.empty() && after <= chain_.height()) page.next = after;
                        out.push_back({Actor::console, ConsoleOut{q.client, std::move(page)}});
                      },
                      [&](const Recall& r) { recall(r, out); },
                      [&](const VerifyQuery& q) { verifier_.start(q.client, chain_, lamport_, out); },
                      [&](const VerifySlice&) { verifier_.slice(chain_, lamport_, out); },
                      [&](const StatusQuery& q) {
                        StatusQuery s = q;
                        s.reply.height = chain_.height();
                        s.reply.head = chain_.head();
                        for (const auto& [peer, index] : diverged_) s.reply.diverged.push_back({peer, index});
                        out.push_back({Actor::console, ConsoleOut{q.client, std::move(s.reply)}});
                      },
                      [&](const MetricsQuery& q) { metrics(q, out); },
                      [](const auto&) {}},
             in);
}

void LedgerCore::sync() {
  if (auto took = chain_.sync()) fsync_us_.observe_span(0, *took);
}

void LedgerCore::metrics(MetricsQuery q, Outbox& out) {
  auto& m = q.reply.metrics;
  m.gauges["height"] = chain_.height();
  m.counters["block_log_bytes"] = chain_.store().bytes_written();
  m.histograms.insert_or_assign("transfers_per_entry", per_entry_);
  m.histograms.insert_or_assign("fsync_us", fsync_us_);
  out.push_back({Actor::mutex, std::move(q)});
}

void LedgerCore::on_height(const PeerHeight& h, Outbox& out) {
  if (h.hint) return catch_up_.hint(h.peer, h.height, chain_.height());
  catch_up_.heard(h);
  if (!h.head.empty()) note_head(h.peer, h.height, h.head, out);
  catch_up(out);
}

std::string LedgerCore::hash_at(std::uint64_t index) const {
  return index == chain_.height() ? chain_.head() : chain_.at(index).hash;
}

// A peer's head: compared now if we hold that index, else when we do (a newer head from the
// same peer replaces it: the peer's chain only grows, or it restarted with what it holds).
void LedgerCore::note_head(NodeId peer, std::uint64_t height, const std::string& head, Outbox& out) {
  if (diverged_.contains(peer)) return;
  if (height <= chain_.height()) {
    heads_.erase(peer);
    compare(peer, height, head, out);
  } else {
    heads_[peer] = {height, head};
  }
}

void LedgerCore::compare_heads(Outbox& out) {
  for (auto it = heads_.begin(); it != heads_.end();) {
    if (it->second.first > chain_.height()) {
      ++it;
      continue;
    }
    auto [peer, head] = *it;
    it = heads_.erase(it);
    compare(peer, head.first, head.second, out);
  }
}

void LedgerCore::compare(NodeId peer, std::uint64_t index, const std::string& theirs, Outbox& out) {
  std::string ours = hash_at(index);
  if (ours != theirs) diverge(peer, index, ours, theirs, out);
}

void LedgerCore::diverge(NodeId peer, std::uint64_t index, const std::string& ours, const std::string& theirs,
                         Outbox& out) {
  if (!diverged_.emplace(peer, index).second) return;
  heads_.erase(peer);
  out.push_back({Actor::log, LogOut{"diverged", lamport_, {{"peer", peer}, {"index", index}, {"ours", ours}, {"theirs", theirs}}}});
  out.push_back({Actor::mutex, Diverged{{peer, index}}});
  out.push_back({Actor::bank, Diverged{{peer, index}}});
}

// A retried txid: answer the block that holds it (a replay: nothing new is paid), refuse a
// transfer that reuses the txid of another (another payee, amount or payer: a client that
// took the reply for its own would believe money moved that did not), or tell the bank it
// is new after all.
void LedgerCore::recall(const Recall& r, Outbox& out) {
  const std::string& txid = *r.cmd.txid;
  for (std::uint64_t index : r.candidates) {
    if (index == 0 || index > chain_.height()) continue;
    Block b = chain_.at(index);
    if (!b.tx || b.tx->txid != txid) continue;
    if (b.tx->from == self_ && b.tx->to == r.cmd.to && b.tx->amount == r.cmd.amount) {
      out.push_back({Actor::console, ConsoleOut{r.client, TransferDone{.txid = txid, .block = std::move(b), .replay = true}}});
      return;
    }
    std::string why = "txid " + txid + " was used for another transfer: " + std::to_string(b.tx->amount) +
                      " cents from " + std::to_string(b.tx->from) + " to " + std::to_string(b.tx->to) + " in block " +
                      std::to_string(index) + "; this one asks " + std::to_string(r.cmd.amount) + " cents from " +
                      std::to_string(self_) + " to " + std::to_string(r.cmd.to) +
                      " (a txid names one transfer: use a new one)";
    out.push_back({Actor::console, ConsoleOut{r.client, FailureReply{"rejected", why, txid}}});
    out.push_back({Actor::log, LogOut{"error", lamport_, {{"error", why}}}});
    return;
  }
  out.push_back({Actor::bank, RecallMiss{r.client, r.cmd, r.candidates}});
}

void LedgerCore::log_commit(const Block& b, Lamport lamport, Outbox& out) {
  // The members in sorted order, as a JSON object of them would print.
  std::string m = "\"amount\":" + std::to_string(b.tx->amount) + ",\"from\":" + std::to_string(b.tx->from) +
                  ",\"index\":" + std::to_string(b.index) + ",\"to\":" + std::to_string(b.tx->to) + ",\"txid\":";
  append_json_string(m, b.tx->txid);  // a txid is printable ASCII
  out.push_back({Actor::log, LogOut{.event = "commit", .lamport = lamport, .fields = {}, .msg = {}, .members = std::move(m)}});
}

// Inside our critical section: up to `batch` staged transfers, each checked against the
// funds at its turn (on a copy of the balances), the last block signed, then all appended
// at once. Ordering rule: the blocks (and the aborts) are on disk before the
// release that carries them leaves and before any client hears of them.
void LedgerCore::enter(const Granted& g, Outbox& out) {
  lamport_ = std::max(lamport_, g.lamport);
  Committed done;
  done.own_exit = true;
  // The batch is decided on the funds alone: every other acceptance check holds by how the
  // blocks are built, and append_run checks them all once, with the signature rule (hashes
  // and our own signature are not computed twice: ChainState::Source::own).
  BalanceTable funds = chain_.table();
  std::uint64_t height = chain_.height();
  std::string head = chain_.head();
  // Diverged (found after the mutex granted): nothing is appended; the staged transfers wait
  // for the bank to answer them `timeout` and take them back. The release must fit in one
  // peer frame: a transfer whose block would take its blocks past max_frame_blocks_bytes
  // waits for our next entry, as one past `batch` does (the last block's signature fits in
  // the room that bound leaves).
  std::size_t bytes = 0;
  for (std::size_t n = 0; n < batch_ && !staged_.empty() && diverged_.empty(); ++n) {
    Tx tx = staged_.front();
    tx.lamport = g.lamport;
    Block b = Chain::block_after(height, head, tx);
    std::size_t size = block_text(b).size() + 1;
    if (bytes + size > max_frame_blocks_bytes && !done.blocks.empty()) break;
    staged_.pop_front();
    if (auto e = funds.check(tx)) {
      done.aborted.push_back({tx.txid, e->message});
      chain_.store().record_abort({tx.txid, e->message});
      out.push_back({Actor::log, LogOut{"abort", lamport_, {{"txid", tx.txid}, {"reason", e->message}}}});
    } else {
      funds.apply(tx);
      ++height;
      head = b.hash;
      bytes += size;
      done.blocks.push_back(std::move(b));
    }
  }
  if (!done.blocks.empty() && signer_) done.blocks.back().sig = signer_->sign_hash(done.blocks.back().hash);
  if (auto e = chain_.append_run(done.blocks, ChainState::Source::own)) {
    // Our own blocks, checked a moment ago: only a node without its signing key (a config
    // with keys but no signer) gets here. Nothing is appended; the transfers are refused.
    for (const Block& b : done.blocks) done.aborted.push_back({b.tx->txid, e->message});
    done.blocks.clear();
    out.push_back({Actor::log, LogOut{"error", lamport_, {{"error", "own batch refused: " + e->message}}}});
  }
  for (const Block& b : done.blocks) log_commit(b, lamport_, out);
  per_entry_.observe(done.blocks.size());
  sync();
  if (!done.blocks.empty()) {
    compare_heads(out);
    out.push_back({Actor::mutex, LocalHeight{chain_.height(), chain_.head()}});
  }
  out.push_back({Actor::mutex, Release{g.req, done.blocks}});
  out.push_back({Actor::bank, std::move(done)});
}

// Peers' blocks: from a release (`released`: every block must spend the releaser's own
// account), or fetched as history. They wait in early_ until the blocks before them are
// here, then go onto the chain one signed run at a time. A block above height + 1 is a gap
// (we lag; it waits). One at or below our height that is not ours, or one at height + 1
// whose prev is not our head, is a divergence.
void LedgerCore::apply_peer(const ApplyBlocks& a, bool released, Outbox& out) {
  lamport_ = std::max(lamport_, a.lamport);
  if (diverged_.contains(a.from)) return;
  // With security off (no keys) every node is trusted, as it is with every other check.
  if (released && chain_.signed_blocks())
    for (const Block& b : a.blocks)
      if (b.tx && b.tx->from != a.from) {
        out.push_back({Actor::log, LogOut{"error", lamport_,
                                          {{"error", "refused the release of node " + std::to_string(a.from) +
                                                         ": block " + std::to_string(b.index) + " spends account " +
                                                         std::to_string(b.tx->from) + ", not its own"}}}});
        return;
      }
  for (const Block& b : a.blocks) {
    if (b.index > chain_.height() + 1) {
      if (!diverged_.empty()) continue;  // appending nothing more: no gap to fill
      // Its sender holds every block before it: fetch the gap if it does not fill by itself.
      catch_up_.hint(a.from, b.index - 1, chain_.height());
      if (b.index - chain_.height() <= max_early_ahead) early_.insert_or_assign(b.index, std::pair{a.from, b});
    } else if (b.index <= chain_.height()) {
      compare(a.from, b.index, b.hash, out);
    } else if (b.prev != chain_.head()) {
      diverge(a.from, chain_.height(), chain_.head(), b.prev, out);
    } else {
      // The newest copy wins: a run refused or left unsigned must not block a good one.
      early_.insert_or_assign(b.index, std::pair{a.from, b});
    }
    if (diverged_.contains(a.from)) break;
  }
  append_early(out);
}

// Appends what early_ holds from the head on, a run at a time: consecutive blocks up to
// the first signed one (each block alone when the chain asks for no signatures). A run
// whose signed end has not come yet waits.
void LedgerCore::append_early(Outbox& out) {
  Committed done;
  while (diverged_.empty()) {
    // A run that waited for a gap another peer filled with other blocks: a divergence.
    if (auto next = early_.find(chain_.height() + 1); next != early_.end() && next->second.second.prev != chain_.head()) {
      diverge(next->second.first, chain_.height(), chain_.head(), next->second.second.prev, out);
      break;
    }
    std::vector<Block> run;
    NodeId from = 0;
    for (auto it = early_.find(chain_.height() + 1); it != early_.end() && it->first == chain_.height() + 1 + run.size();
         ++it) {
      from = it->second.first;
      run.push_back(it->second.second);
      if (!chain_.signed_blocks() || !run.back().sig.empty()) break;
    }
    if (run.empty() || (chain_.signed_blocks() && run.back().sig.empty())) break;
    const std::uint64_t first = run.front().index;
    auto e = chain_.append_run(run);
    early_.erase(early_.begin(), early_.upper_bound(first + run.size() - 1));
    if (e) {
      out.push_back({Actor::log, LogOut{"error", lamport_,
                                        {{"error", "refused blocks " + std::to_string(first) + ".." +
                                                       std::to_string(first + run.size() - 1) + " from node " +
                                                       std::to_string(from) + ": " + e->message}}}});
      break;
    }
    for (Block& b : run) {
      log_commit(b, lamport_, out);
      done.blocks.push_back(std::move(b));
    }
  }
  // Blocks that waited for a gap our own entry filled: the same as ours, or a divergence.
  for (auto it = early_.begin(); it != early_.end() && it->first <= chain_.height(); it = early_.erase(it))
    compare(it->second.first, it->first, it->second.second.hash, out);
  if (!diverged_.empty()) early_.clear();
  compare_heads(out);
  if (done.blocks.empty()) return;
  // Group commit: a peer's block is already durable at its author (synced before its
  // release left), so ours need not be synced now. The next sync covers it: our own entry's
  // (the file is append-only, so that fsync covers every block before ours), a catch-up
  // answer's, or the ledger's next tick (LedgerShell::kTickMs).
  out.push_back({Actor::mutex, LocalHeight{chain_.height(), chain_.head()}});
  out.push_back({Actor::bank, std::move(done)});
}

// Ask the highest peer for what we lack; pass a held grant on once nothing is missing,
// hints included (in normal running none is ahead of us by the time we are granted: every
// release before our entry has been applied; one that is names a release that never came).
// Diverged, nothing more is fetched (nothing would be appended) and a held grant goes on, to
// end the critical section without a block.
void LedgerCore::catch_up(Outbox& out) {
  const bool diverged = !diverged_.empty();
  if (!diverged && catch_up_.behind(chain_.height())) {
    if (auto ask = catch_up_.next_ask(chain_.height()))
      out.push_back({Actor::mutex, PeerOut{ask->peer, 0, SyncMsg{ask->from}}});
    return;
  }
  if (held_grant_ && (diverged || !catch_up_.hinted_ahead(chain_.height()))) {
    Granted g = *held_grant_;
    held_grant_.reset();
    enter(g, out);
  }
}

// Catch-up: blocks fetched as history are checked as a chain (links, hashes, funds), not
// against the queue.
void LedgerCore::on_peer(const PeerIn& p, Outbox& out) {
  lamport_ = std::max(lamport_, p.lamport);
  if (const auto* s = std::get_if<SyncMsg>(&p.body)) {
    sync();  // serve only what is on disk
    BlocksMsg answer{chain_.range(s->from, sync_batch), chain_.height(), chain_.head(), s->from};
    // At most max_frame_blocks_bytes of blocks, so the answer fits in one frame.
    std::size_t bytes = 0, fit = 0;
    for (; fit < answer.blocks.size(); ++fit) {
      bytes += block_text(answer.blocks[fit]).size() + 1;
      if (bytes > max_frame_blocks_bytes && fit > 0) break;
    }
    answer.blocks.resize(fit);
    // A page ends with a signed block, so the asker can append all of it: cut after the
    // last signed block, or, when a run is longer than a page, read on to its end (a run is
    // one entry's blocks, which fit in a frame: see enter()).
    if (auto& bl = answer.blocks; chain_.signed_blocks() && !bl.empty()) {
      auto last = std::find_if(bl.rbegin(), bl.rend(), [](const Block& b) { return !b.sig.empty(); });
      if (last != bl.rend()) bl.erase(last.base(), bl.end());
      while (!bl.empty() && bl.back().sig.empty() && bl.back().index < chain_.height())
        bl.push_back(chain_.at(bl.back().index + 1));
    }
    out.push_back({Actor::mutex, PeerOut{p.from, 0, std::move(answer)}});
  } else if (const auto* b = std::get_if<BlocksMsg>(&p.body)) {
    on_answer(p.from, p.lamport, *b, out);
  }
}

// Taken only as the answer to a sync we sent that peer from that index: anything else is
// dropped and logged (a peer cannot push blocks at us).
void LedgerCore::on_answer(NodeId from, Lamport lamport, const BlocksMsg& b, Outbox& out) {
  if (!catch_up_.solicited(from, b.from)) {
    out.push_back({Actor::log, LogOut{"error", lamport_,
                                      {{"error", "node " + std::to_string(from) + " sent blocks from index " +
                                                     std::to_string(b.from) + " that were not asked for; dropped"}}}});
    return;
  }
  std::optional<std::uint64_t> first;
  if (!b.blocks.empty()) first = b.blocks.front().index;
  bool fresh_answer = catch_up_.answered(from, first, b.height);
  // The fresh blocks, and the highest one we already hold: the hash chain makes it stand
  // for every block below it.
  std::vector<Block> fresh;
  const Block* last_held = nullptr;
  for (const Block& blk : b.blocks) {
    if (blk.index > chain_.height()) {
      fresh.push_back(blk);
    } else {
      last_held = &blk;
    }
  }
  std::uint64_t reach = fresh.empty() ? chain_.height() : fresh.back().index;
  if (last_held) compare(from, last_held->index, last_held->hash, out);
  apply_peer(ApplyBlocks{from, lamport, fresh}, false, out);
  note_head(from, b.height, b.head, out);
  // A peer that sent nothing new, or a block we refused, cannot help us further: stop
  // asking it (it would send the same again).
  if (fresh_answer && (fresh.empty() || chain_.height() < reach)) catch_up_.give_up(from, std::min(b.height, chain_.height()));
  catch_up(out);
}

}  // namespace bank
