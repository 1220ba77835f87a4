// TraceChecker: each node's events are walked in order, split where the node (re)started;
// the rules are checked per node (stamp, queue), across nodes (overlap, order).
#include "apps/trace/trace_checker.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "apps/trace/trace_time.hpp"

namespace bank::trace {

namespace {

using Kind = TraceEvent::Kind;

std::string stamp_text(const Stamp& s) { return std::to_string(s.ts) + "." + std::to_string(s.node); }

// "node-1.log:17 at 2024-...Z"
std::string at(const TraceEvent& e) { return e.where + " at " + TraceTime::format(e.ts_us); }

class Checker {
 public:
  explicit Checker(const std::vector<TraceEvent>& events) : ev_(events) {
    for (std::size_t i = 0; i < ev_.size(); ++i) {
      const TraceEvent& e = ev_[i];
      by_node_[e.node].push_back(i);
      nodes_.insert(e.node);
      if (e.peer) nodes_.insert(e.peer);
      if (e.is_message()) {
        nodes_.insert(e.key.from);
        nodes_.insert(e.key.to);
      }
    }
    nodes_.erase(0);
  }

  CheckReport run() {
    report_.nodes = by_node_.size();
    for (const auto& [node, indices] : by_node_) {
      // A start begins a new incarnation: its queue, clock and sessions begin anew.
      std::size_t begin = 0;
      for (std::size_t k = 1; k <= indices.size(); ++k) {
        if (k == indices.size() || ev_[indices[k]].kind == Kind::start) {
          segment(node, indices, begin, k, k < indices.size());
          begin = k;
        }
      }
    }
    overlaps();
    orders();
    std::stable_sort(report_.violations.begin(), report_.violations.end(), [](const Violation& a, const Violation& b) {
      return std::tie(a.at_us, a.rule) < std::tie(b.at_us, b.rule);
    });
    return std::move(report_);
  }

 private:
  // The latest stamps a node received in one incarnation, as its mutex counts them.
  struct Heard {
    std::map<NodeId, Stamp> latest;                         // requests and releases, per sender
    std::map<std::pair<NodeId, Stamp>, Stamp> replies;      // (sender, request answered)
  };

  struct Interval {
    NodeId node = 0;
    std::size_t enter = 0;              // event index
    std::optional<std::size_t> exit;    // event index; none: held to its last event
    std::int64_t from = 0, to = 0;      // ts
    bool to_the_end = false;            // no exit: still inside when the events end
    bool stopped = false;               // no exit: the node stopped inside
  };

  // A violation found at event `when` (an entry, a commit).
  void add(std::string rule, std::string text, std::vector<std::size_t> events, std::size_t when) {
    report_.violations.push_back(Violation{std::move(rule), std::move(text), std::move(events), ev_[when].ts_us});
  }

  // Events [begin, end) of node `n`'s list: one incarnation.
  // `restarted`: a start follows (the node stopped, and came back).
  void segment(NodeId n, const std::vector<std::size_t>& idx, std::size_t begin, std::size_t end, bool restarted) {
    std::optional<Interval> open;
    std::set<Stamp> requested;                        // own requests sent, by stamp
    std::map<NodeId, std::map<Stamp, std::size_t>> queue;  // peers' requests received, not released
    std::set<std::tuple<MessageKey, std::string, Stamp>> received;  // frames logged as received
    Heard heard;
    for (std::size_t k = begin; k < end; ++k) {
      const std::size_t i = idx[k];
      const TraceEvent& e = ev_[i];
      switch (e.kind) {
        case Kind::send:
          if (e.type == "request" && e.req.node == n) requested.insert(e.req);
          break;
        case Kind::recv: {
          // The log has a line for every frame that arrives, resends included (a paused
          // node gets every resend at once when it resumes, some after the release that
          // followed): a request the link already took does not come back into the queue.
          // (Releases may repeat: erasing is the same once or twice.)
          if (e.type == "request" && !received.insert({e.key, e.type, e.req}).second) break;
          const NodeId p = e.key.from;
          if (e.type == "request" && e.req.node == p) queue[p][e.req] = i;
          if (e.type == "release") queue[p].erase(e.req);
          // What the mutex counts as a stamp: a request of the sender's own, a release, and
          // a reply, but only for the request it answers.
          const Stamp stamp{e.msg_lamport, p};
          if (e.type == "reply") heard.replies[{p, e.req}] = std::max(heard.replies[{p, e.req}], stamp);
          else if (e.type == "release" || e.req.node == p) heard.latest[p] = std::max(heard.latest[p], stamp);
          break;
        }
        case Kind::peer_up:
        case Kind::peer_down: queue.erase(e.peer); break;
        case Kind::error:
          // A diverged peer, or a session that started over: the mutex forgets that peer's
          // requests (see NetworkCore's reset), so the queue here no longer knows them.
          if (e.peer) queue.erase(e.peer);
          for (NodeId p : nodes_)
            if (e.note.find("node " + std::to_string(p) + " left more than") != std::string::npos) queue.erase(p);
          break;
        case Kind::cs_enter:
          ++report_.entries;
          if (open) close(*open, ev_[idx[k - 1]].ts_us);
          open = Interval{n, i, std::nullopt, e.ts_us, e.ts_us, false};
          entry(n, i, requested, queue, heard);
          break;
        case Kind::stop:
          // A clean stop inside the critical section: held until then.
          if (open) {
            open->stopped = true;
            close(*open, e.ts_us);
            open.reset();
          }
          break;
        case Kind::cs_exit:
          if (open) {
            open->exit = i;
            open->to = e.ts_us;
            intervals_.push_back(*open);
            open.reset();
          }
          break;
        default: break;
      }
    }
    // Stopped inside the critical section: held until its last event. Still inside when the
    // events end: held as far as they show, to the end of them all.
    if (open && restarted) close(*open, ev_[idx[end - 1]].ts_us);
    if (open && !restarted) {
      open->to_the_end = true;
      close(*open, ev_.back().ts_us);
    }
    // Commits: a later incarnation's commit at an index replaces an earlier one's (a block
    // not yet synced is lost in a crash, and the index is taken again).
    std::map<std::uint64_t, std::size_t> mine;
    for (std::size_t k = begin; k < end; ++k) {
      const TraceEvent& e = ev_[idx[k]];
      if (e.kind != Kind::commit) continue;
      ++report_.commits;
      auto [it, fresh] = mine.emplace(e.index, idx[k]);
      if (!fresh && ev_[it->second].txid != e.txid)
        add("order", "order: node " + std::to_string(n) + " committed block " + std::to_string(e.index) + " twice: " +
                         ev_[it->second].txid + " (" + at(ev_[it->second]) + ") and " + e.txid + " (" + at(e) + ")",
            {it->second, idx[k]}, idx[k]);
    }
    for (const auto& [index, i] : mine) committed_[index][n] = i;
  }

  void close(Interval iv, std::int64_t to) {
    iv.to = std::max(iv.to, to);
    intervals_.push_back(iv);
  }

  void entry(NodeId n, std::size_t i, const std::set<Stamp>& requested,
             const std::map<NodeId, std::map<Stamp, std::size_t>>& queue, const Heard& heard) {
    const TraceEvent& e = ev_[i];
    const Stamp r = e.req;
    const std::string who = "node " + std::to_string(n) + " entered (req " + stamp_text(r) + ", " + at(e) + ")";
    // The stamp rule, judged only when the request's sending is among the events: every
    // message that can count was received after it.
    if (requested.contains(r) || nodes_.size() <= 1) {
      std::vector<NodeId> silent;
      for (NodeId p : nodes_) {
        if (p == n) continue;
        auto any = heard.latest.find(p);
        auto reply = heard.replies.find({p, r});
        const bool later = (any != heard.latest.end() && any->second > r) ||
                           (reply != heard.replies.end() && reply->second > r);
        if (!later) silent.push_back(p);
      }
      if (!silent.empty()) {
        std::string list;
        for (NodeId p : silent) list += (list.empty() ? "" : ", ") + std::to_string(p);
        add("stamp", "stamp: " + who + " without a message stamped later than its request from node" +
                         (silent.size() > 1 ? "s " : " ") + list,
            {i}, i);
      }
    } else {
      ++report_.unjudged;
    }
    // The queue rule: an earlier request received and not released heads the queue instead.
    for (const auto& [p, requests] : queue)
      for (const auto& [s, j] : requests) {
        if (!(s < r)) break;
        add("queue", "queue: " + who + " while node " + std::to_string(p) + "'s earlier request " + stamp_text(s) +
                         " was still in its queue (received " + at(ev_[j]) + ", no release since)",
            {i, j}, i);
      }
  }

  void overlaps() {
    std::sort(intervals_.begin(), intervals_.end(), [](const Interval& a, const Interval& b) {
      return std::tie(a.from, a.node) < std::tie(b.from, b.node);
    });
    std::optional<Interval> holder;  // of those entered so far, the one that left last
    for (const Interval& iv : intervals_) {
      if (holder && iv.from <= holder->to && iv.node != holder->node) {
        const TraceEvent& h = ev_[holder->enter];
        const TraceEvent& e = ev_[iv.enter];
        std::string until = holder->exit          ? "until " + at(ev_[*holder->exit])
                            : holder->to_the_end ? std::string("and had not left when the events end")
                            : holder->stopped    ? "until it stopped, at " + TraceTime::format(holder->to)
                                                 : "and had not left by its last event before it restarted, at " +
                                                       TraceTime::format(holder->to);
        std::vector<std::size_t> about{holder->enter, iv.enter};
        if (holder->exit) about.push_back(*holder->exit);
        add("overlap", "overlap: node " + std::to_string(iv.node) + " entered (req " + stamp_text(e.req) + ", " + at(e) +
                           ") while node " + std::to_string(holder->node) + " held the critical section (req " +
                           stamp_text(h.req) + ", entered " + at(h) + ", " + until + ")",
            about, iv.enter);
      }
      if (!holder || iv.to > holder->to) holder = iv;
    }
  }

  void orders() {
    report_.blocks = committed_.size();
    for (const auto& [index, by_node] : committed_) {
      std::set<std::string> txids;
      for (const auto& [n, i] : by_node) txids.insert(ev_[i].txid);
      if (txids.size() < 2) continue;
      std::string list;
      std::vector<std::size_t> about;
      std::size_t latest = by_node.begin()->second;
      for (const auto& [n, i] : by_node) {
        if (ev_[i].ts_us > ev_[latest].ts_us) latest = i;
        list += (list.empty() ? "" : ", ") + std::string("node ") + std::to_string(n) + " committed " + ev_[i].txid +
                " (" + at(ev_[i]) + ")";
        about.push_back(i);
      }
      add("order", "order: block " + std::to_string(index) + " differs: " + list, about, latest);
    }
  }

  const std::vector<TraceEvent>& ev_;
  std::map<NodeId, std::vector<std::size_t>> by_node_;
  std::set<NodeId> nodes_;
  std::vector<Interval> intervals_;
  std::map<std::uint64_t, std::map<NodeId, std::size_t>> committed_;  // index -> node -> commit event
  CheckReport report_;
};

}  // namespace

std::string CheckReport::summary() const {
  if (ok()) {
    std::string s = "ok: " + std::to_string(entries) + " entries, " + std::to_string(blocks) + " commits checked";
    if (unjudged)
      s += " (" + std::to_string(unjudged) +
           (unjudged == 1 ? " entry not judged by the stamp rule: its request was"
                          : " entries not judged by the stamp rule: their requests were") +
           " sent before the first event read)";
    return s;
  }
  std::map<std::string, std::size_t> by_rule;
  for (const auto& v : violations) ++by_rule[v.rule];
  std::string s = std::to_string(violations.size()) + " violation" + (violations.size() == 1 ? "" : "s") + " (";
  bool first = true;
  for (const auto& [rule, n] : by_rule) {
    s += (first ? "" : ", ") + std::to_string(n) + " " + rule;
    first = false;
  }
  return s + ") in " + std::to_string(entries) + " entries and " + std::to_string(blocks) + " commits";
}

CheckReport TraceChecker::check(const std::vector<TraceEvent>& events) { return Checker(events).run(); }

}  // namespace bank::trace
