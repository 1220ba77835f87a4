// MutexCore: Lamport's algorithm; see the header for the rules.
#include "actors/mutex/mutex_core.hpp"

#include <algorithm>

#include "messages/guards.hpp"
#include "messages/overload.hpp"

namespace bank {

MutexCore::MutexCore(NodeId self, std::vector<NodeId> peers, EntryRule rule)
    : self_(self), peers_(std::move(peers)), rule_(rule) {
  std::sort(peers_.begin(), peers_.end());
  for (NodeId p : peers_) up_[p] = false;
}

bool MutexCore::lamport_rule(const MutexCore& m) {
  if (m.queue_.empty() || *m.queue_.begin() != *m.own_) return false;
  for (NodeId p : m.peers_)
    if (!m.heard_after_own(p)) return false;
  return true;
}

bool MutexCore::heard_after_own(NodeId peer) const {
  auto it = heard_.find(peer);
  return own_ && it != heard_.end() && it->second > *own_;
}

bool MutexCore::link_up(NodeId peer) const {
  auto it = up_.find(peer);
  return it != up_.end() && it->second;
}

std::vector<NodeId> MutexCore::silent() const {
  std::set<NodeId> waiting;
  for (NodeId p : peers_)
    if (!link_up(p) || diverged_.contains(p) || (own_ && !heard_after_own(p))) waiting.insert(p);
  // And whoever is ahead of us in the queue: it holds, or will hold, the section first. A
  // request whose release has come waits only for those ahead of it, not for its node.
  for (const Stamp& s : queue_) {
    if (own_ && !(s < *own_)) break;
    if (s.node != self_ && !releases_.contains(s)) waiting.insert(s.node);
  }
  return {waiting.begin(), waiting.end()};
}

void MutexCore::step(const BusMessage& in, Outbox& out) {
  std::visit(Overload{[&](const PeerIn& p) { on_peer(p, out); },
                      [&](const LinkUp& u) { on_link_up(u, out); },
                      [&](const LinkDown& d) {
                        up_[d.peer] = false;
                        down_.insert(d.peer);
                      },
                      [&](const LinkRefused& r) {
                        up_[r.peer] = false;
                        refused_[r.peer] = r.why;
                        down_.insert(r.peer);
                      },
                      [&](const Acquire&) {
                        // Fail fast: with a peer known down no entry can happen until it is
                        // back, so the bank hears it now rather than at its timeout. (A peer
                        // never heard since we started is not known down: it may be starting.)
                        if (state_ == State::idle && !own_ && !down_.empty()) {
                          wanted_ = false;
                          out.push_back({Actor::ledger, Withdrawn{.silent = {down_.begin(), down_.end()}, .unreachable = true}});
                          return;
                        }
                        // May come before our last Release (another pipe): remember it.
                        wanted_ = true;
                        maybe_request(out);
                      },
                      [&](const Withdraw&) { withdraw(out); },
                      [&](const Diverged& d) { cut_off(d.divergence.peer, out); },
                      [&](const Release& r) { release(r, out); },
                      [&](const PeerOut& p) { send(p.to, p.body, out); },
                      [&](const LocalHeight& h) {
                        known_height_ = std::max(known_height_, h.height);
                        out.push_back({Actor::network, h});
                      },
                      [&](const PeerHeight& h) {  // from a heartbeat, on its way to the ledger
                        if (!diverged_.contains(h.peer)) out.push_back({Actor::ledger, h});
                      },
                      [&](const MetricsQuery& q) { metrics(q, out); },
                      [&](const StatusQuery& q) {
                        StatusQuery s = q;
                        s.reply.id = self_;
                        s.reply.lamport = clock_;
                        s.reply.queue.assign(queue_.begin(), queue_.end());
                        for (NodeId p : peers_) {
                          auto why = refused_.find(p);
                          s.reply.peers.push_back({p, link_up(p), why == refused_.end() ? "" : why->second});
                        }
                        out.push_back({Actor::ledger, std::move(s)});
                      },
                      [&](const Tick& t) {
                        now_ms_ = t.now_ms;
                        set_now_us(t.now_ms * 1000);
                        for (auto& [peer, r] : replaced_)
                          if (r.unlogged > 0 && now_ms_ - *r.logged_ms >= kReplacedLogEveryMs) log_replaced(peer, out);
                      },
                      [](const auto&) {}},
             in);
}

// A request that voided an unreleased one of the same peer: logged now, unless a line about
// that peer went out within kReplacedLogEveryMs; then it is counted into the next one.
void MutexCore::note_replaced(NodeId peer, Outbox& out) {
  Replaced& r = replaced_[peer];
  ++r.unlogged;
  if (!r.logged_ms || now_ms_ - *r.logged_ms >= kReplacedLogEveryMs) log_replaced(peer, out);
}

void MutexCore::log_replaced(NodeId peer, Outbox& out) {
  Replaced& r = replaced_[peer];
  out.push_back({Actor::log, LogOut{"error", clock_,
                                    {{"error", "node " + std::to_string(peer) + " sent " + std::to_string(r.unlogged) +
                                                   " request(s) while an earlier one of its was unreleased here; "
                                                   "each voided the one before"}}}});
  r.unlogged = 0;
  r.logged_ms = now_ms_;
}

void MutexCore::queued() { queue_max_ = std::max(queue_max_, queue_.size()); }

void MutexCore::metrics(MetricsQuery q, Outbox& out) const {
  auto& m = q.reply.metrics;
  m.counters["cs_requests"] = requests_;
  m.counters["cs_entries"] = entries_;
  m.counters["cs_withdrawals"] = withdrawals_;
  m.gauges["queue_depth"] = queue_.size();
  m.gauges["queue_depth_max"] = queue_max_;
  m.gauges["lamport"] = clock_;
  m.histograms.insert_or_assign("cs_wait_us", wait_us_);
  m.histograms.insert_or_assign("cs_hold_us", hold_us_);
  out.push_back({Actor::network, std::move(q)});
}

void MutexCore::hear(NodeId from, Lamport ts) {
  auto& h = heard_[from];
  h = std::max(h, Stamp{ts, from});
}

void MutexCore::send(NodeId to, PeerBody body, Outbox& out) {
  if (diverged_.contains(to) && !std::holds_alternative<BlocksMsg>(body)) return;
  clock_ = clock_after(clock_, 0);
  auto inc = peer_inc_.find(to);
  out.push_back({Actor::network, PeerOut{to, clock_, std::move(body), inc == peer_inc_.end() ? 0 : inc->second}});
}

void MutexCore::on_link_up(const LinkUp& u, Outbox& out) {
  // First, so the ledger knows what it lacks before any grant this may bring reaches it.
  out.push_back({Actor::ledger, PeerHeight{.peer = u.peer, .height = u.height, .restarted = u.restarted, .hint = false, .head = u.head}});
  if (u.restarted) told_height_.erase(u.peer);
  clock_ = clock_after(clock_, u.lamport);
  up_[u.peer] = true;
  down_.erase(u.peer);
  peer_inc_[u.peer] = u.incarnation;
  refused_.erase(u.peer);
  if (u.greeting) greeted_.insert(u.peer);
  if (u.restarted && guards::on(guards::Guard::restart_drops_requests)) {
    // The peer's old incarnation is gone with its requests; whatever it sent us before is void.
    for (auto it = queue_.begin(); it != queue_.end();) it = it->node == u.peer ? queue_.erase(it) : std::next(it);
    std::erase_if(releases_, [&](const auto& r) { return r.first.node == u.peer; });
    heard_.erase(u.peer);
    if (own_) send(u.peer, RequestMsg{*own_, known_height_}, out);
    apply_ready_releases(out);
  }
  maybe_request(out);
  try_enter(out);
}

// Stamp and broadcast our request, once every peer's greeting has lifted our clock.
void MutexCore::maybe_request(Outbox& out) {
  if (!wanted_ || state_ != State::idle) return;
  if (greeted_.size() < peers_.size() && guards::on(guards::Guard::request_after_greetings)) return;
  wanted_ = false;
  clock_ = clock_after(clock_, 0);
  own_ = Stamp{clock_, self_};
  queue_.insert(*own_);
  queued();
  state_ = State::requested;
  ++requests_;
  requested_us_ = now_us_;
  for (NodeId p : peers_) send(p, RequestMsg{*own_, known_height_}, out);
  try_enter(out);
}

// Every message moves the clock, but only these count as "heard later" for entry: the
// sender's request, its reply to our current request, its release of a queued request. A
// restarted peer's network session carries whatever our mutex still sends the old incarnation
// (a reply to its request, a release, blocks) before we handle LinkUp(restarted) and re-send
// our request; counted, such a stray late stamp would let the new incarnation in ahead of it.
void MutexCore::on_peer(const PeerIn& p, Outbox& out) {
  // Cut off: nothing of it is applied. Its sync is still answered (reading our history
  // changes nothing here), so that it can find the divergence too.
  if (diverged_.contains(p.from)) {
    if (std::holds_alternative<SyncMsg>(p.body)) out.push_back({Actor::ledger, p});
    return;
  }
  clock_ = clock_after(clock_, p.lamport);
  // A peer's height reaches the ledger before any grant this message may bring: a node
  // that restarted may have missed releases (and their blocks) sent to its old self.
  std::uint64_t height = 0;
  if (const auto* r = std::get_if<RequestMsg>(&p.body)) height = r->height;
  if (const auto* r = std::get_if<ReplyMsg>(&p.body)) height = r->height;
  if (height > told_height_[p.from]) {
    told_height_[p.from] = height;
    out.push_back({Actor::ledger, PeerHeight{.peer = p.from, .height = height, .restarted = false, .hint = true, .head = {}}});
  }
  std::visit(Overload{[&](const RequestMsg& r) {
                        if (r.req.node != p.from) return;
                        hear(p.from, p.lamport);
                        // At most one unreleased request per peer: a node has one request out
                        // at a time and its link is FIFO, so the release of its previous request
                        // came before this one (and waits in releases_ if that request is not
                        // yet at our head). An earlier request of its still queued without one
                        // is void, and this one replaces it; only a faulty peer leaves one.
                        if (std::erase_if(queue_, [&](const Stamp& q) {
                              return q.node == p.from && q != r.req && !releases_.contains(q);
                            }) > 0)
                          note_replaced(p.from, out);
                        queue_.insert(r.req);
                        queued();
                        // A reply only tells the requester "I have seen your request, at a
                        // later time". While our own request is out, it will hear that anyway:
                        // from our request, if it is stamped later than theirs, or else from
                        // our release (or withdrawal), which it must wait for, ours being
                        // ahead of theirs, and which is stamped later than theirs since we
                        // have now seen it. So under load an entry costs 2(N-1) messages,
                        // not 3(N-1).
                        if (state_ == State::idle) send(p.from, ReplyMsg{r.req, known_height_}, out);
                      },
                      [&](const ReplyMsg& r) {
                        if (own_ && r.req == *own_) hear(p.from, p.lamport);
                      },
                      [&](const ReleaseMsg& r) {
                        auto waiting = std::count_if(releases_.begin(), releases_.end(),
                                                     [&](const auto& w) { return w.second.from == p.from; });
                        if (r.req.node != p.from || !queue_.contains(r.req) || waiting >= kMaxWaitingReleases) {
                          out.push_back({Actor::log, LogOut{"error", clock_,
                                                            {{"error", "release from node " + std::to_string(p.from) +
                                                                           (waiting >= kMaxWaitingReleases
                                                                                ? " beyond the releases it may have waiting"
                                                                                : " for a request not in the queue")}}}});
                          // Most likely our previous incarnation's: its sender entered on that
                          // incarnation's reply. Refused here, but the ledger must fetch the
                          // blocks before we append, or our chain forks (the peer's hello may
                          // have announced a height from before them).
                          if (r.req.node == p.from && !r.blocks.empty())
                            out.push_back({Actor::ledger, PeerHeight{.peer = p.from, .height = r.blocks.back().index, .restarted = false, .hint = false, .head = {}}});
                          return;
                        }
                        hear(p.from, p.lamport);
                        releases_[r.req] = PendingRelease{p.from, p.lamport, r.blocks};
                        apply_ready_releases(out);
                      },
                      [&](const SyncMsg&) { out.push_back({Actor::ledger, p}); },
                      [&](const BlocksMsg&) { out.push_back({Actor::ledger, p}); },
                      [](const auto&) {}},
             p.body);
  try_enter(out);
}

// A diverged peer no longer takes part: its requests leave our queue (releases queued behind
// them can then apply) with its waiting releases and what we heard from it.
void MutexCore::cut_off(NodeId peer, Outbox& out) {
  if (!diverged_.insert(peer).second) return;
  std::erase_if(queue_, [&](const Stamp& s) { return s.node == peer; });
  std::erase_if(releases_, [&](const auto& r) { return r.first.node == peer; });
  heard_.erase(peer);
  apply_ready_releases(out);
}

// A release takes effect when its request heads our queue: everything ahead of it was
// released before its sender entered, and those releases are still on their way to us.
void MutexCore::apply_ready_releases(Outbox& out) {
  while (!queue_.empty()) {
    auto it = releases_.find(*queue_.begin());
    if (it == releases_.end()) return;
    if (!it->second.blocks.empty()) {
      known_height_ = std::max(known_height_, it->second.blocks.back().index);
      out.push_back({Actor::ledger, ApplyBlocks{it->second.from, clock_, std::move(it->second.blocks)}});
    }
    queue_.erase(queue_.begin());
    releases_.erase(it);
  }
}

void MutexCore::try_enter(Outbox& out) {
  if (state_ != State::requested || !diverged_.empty() || !rule_(*this)) return;
  state_ = State::holding;
  ++entries_;
  entered_us_ = now_us_;
  wait_us_.observe_span(requested_us_, now_us_);
  out.push_back({Actor::log, LogOut{"cs_enter", clock_, {{"req", stamp_to_json(*own_)}}}});
  out.push_back({Actor::ledger, Granted{*own_, clock_}});
}

void MutexCore::release(const Release& r, Outbox& out) {
  if (state_ != State::holding || !own_ || r.req != *own_) return;
  hold_us_.observe_span(entered_us_, now_us_);
  out.push_back({Actor::log, LogOut{"cs_exit", clock_, {{"req", stamp_to_json(*own_)}}}});
  queue_.erase(*own_);
  for (NodeId p : peers_) send(p, ReleaseMsg{*own_, r.blocks}, out);
  own_.reset();
  state_ = State::idle;
  apply_ready_releases(out);
  maybe_request(out);
}

// Give up a request that has not been granted: peers drop it from their queues. A
// Withdraw that finds the request already granted is void: the grant is on its way.
void MutexCore::withdraw(Outbox& out) {
  if (state_ == State::requested) {
    ++withdrawals_;
    auto waited = silent();
    queue_.erase(*own_);
    for (NodeId p : peers_) send(p, ReleaseMsg{*own_, {}}, out);
    own_.reset();
    state_ = State::idle;
    apply_ready_releases(out);
    out.push_back({Actor::ledger, Withdrawn{.silent = waited}});
  } else if (wanted_) {
    wanted_ = false;
    out.push_back({Actor::ledger, Withdrawn{.silent = silent()}});
  }
}

}  // namespace bank
