// TraceLayout: rows first (so every event has its y), then what hangs on them.
#include "apps/trace/trace_layout.hpp"

#include <algorithm>
#include <map>

#include "apps/trace/trace_time.hpp"
#include "config/cluster_config.hpp"

namespace bank::trace {

namespace {

using Kind = TraceEvent::Kind;

std::string block_line(const TraceEvent& c) {
  return "block " + std::to_string(c.index) + ": " + c.txid + "  " + std::to_string(c.tx_from) + " -> " +
         std::to_string(c.tx_to) + "  $" + format_dollars(c.amount);
}

}  // namespace

TraceLayout TraceLayout::build(const std::vector<TraceEvent>& events, const Matching& matching,
                               const std::set<std::size_t>& marked) {
  TraceLayout l;
  l.top = kTop;
  std::map<NodeId, double> x;
  {
    std::set<NodeId> nodes;
    for (const TraceEvent& e : events) nodes.insert(e.node);
    double cx = kLeft + 50;
    for (NodeId n : nodes) {
      l.columns.push_back(Column{n, cx});
      x[n] = cx;
      cx += kColumn;
    }
    l.width = cx - kColumn + 200;
  }

  // Rows. A commit that follows a commit of the same node (nothing else of that node between)
  // joins its run's row: a batch of 64 is one line of text, not 64 rows.
  std::vector<double> y(events.size(), 0);
  std::map<NodeId, std::size_t> last_of;       // each node's previous event
  std::map<std::size_t, std::vector<std::size_t>> runs;  // first commit of a run -> the run
  std::map<std::size_t, std::size_t> run_of;   // commit -> first commit of its run
  double cy = kTop;
  std::optional<std::int64_t> prev_ts;
  if (!events.empty()) l.first_us = events.front().ts_us;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    auto prev = last_of.find(e.node);
    if (e.kind == Kind::commit && prev != last_of.end() && events[prev->second].kind == Kind::commit) {
      const std::size_t head = run_of.at(prev->second);
      runs[head].push_back(i);
      run_of[i] = head;
      y[i] = y[head];
      last_of[e.node] = i;
      continue;
    }
    if (prev_ts && e.ts_us - *prev_ts >= kGapUs) {
      l.gaps.push_back(Gap{cy + (kGap + kRow) / 2, e.ts_us - *prev_ts});  // halfway to the next row
      cy += kGap;
    }
    cy += kRow;
    y[i] = cy;
    l.rows.push_back(Row{cy, e.ts_us});
    prev_ts = e.ts_us;
    last_of[e.node] = i;
    if (e.kind == Kind::commit) {
      runs[i] = {i};
      run_of[i] = i;
    }
  }
  const double bottom = cy + kRow;
  l.height = bottom + kBottom;

  for (std::size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    const double ex = x[e.node];
    switch (e.kind) {
      case Kind::send:
      case Kind::recv:
      case Kind::cs_enter:
      case Kind::cs_exit:
        l.dots.push_back(Dot{ex, y[i], i, marked.contains(i)});
        break;
      case Kind::abort:
        l.labels.push_back(Label{ex + 10, y[i], "abort " + e.txid, "abort",
                                 "aborted " + e.txid + ": " + e.note + "\n" + e.where});
        break;
      case Kind::peer_up:
      case Kind::peer_down:
        l.labels.push_back(Label{ex + 10, y[i], std::string(e.kind == Kind::peer_up ? "link up: " : "link down: ") +
                                                    "node " + std::to_string(e.peer),
                                 "link", e.text + "\n" + e.where});
        break;
      case Kind::start:
        l.labels.push_back(Label{ex + 10, y[i], "start (height " + std::to_string(e.height) + ")", "start",
                                 e.text + "\n" + e.where});
        break;
      case Kind::stop:
        l.labels.push_back(Label{ex + 10, y[i], "stop", "start", e.text + "\n" + e.where});
        break;
      case Kind::error: {
        // The start of what it says (the hover has all of it): "error: denied: client 2 may..."
        constexpr std::size_t kShown = 48;
        std::string text = e.event == "diverged" ? e.note : "error: " + e.note;
        if (text.size() > kShown) text = text.substr(0, kShown) + "...";
        l.labels.push_back(Label{ex + 10, y[i], text, "error", e.note + "\n" + e.where});
        break;
      }
      case Kind::commit:
        break;
    }
  }
  for (const auto& [head, run] : runs) {
    const TraceEvent& a = events[run.front()];
    const TraceEvent& b = events[run.back()];
    std::string text = "#" + std::to_string(a.index);
    if (run.size() > 1) text += "-" + std::to_string(b.index);
    if (run.size() == 1) text += " " + a.txid;
    std::string title = "node " + std::to_string(a.node) + " committed " + std::to_string(run.size()) +
                        (run.size() == 1 ? " block" : " blocks");
    constexpr std::size_t kListed = 20;  // a batch of 64 lists its first 20 in the hover
    for (std::size_t k = 0; k < run.size() && k < kListed; ++k) title += "\n" + block_line(events[run[k]]);
    if (run.size() > kListed) title += "\n... and " + std::to_string(run.size() - kListed) + " more";
    bool bad = false;
    for (std::size_t k : run) bad = bad || marked.contains(k);
    l.labels.push_back(Label{x[a.node] + 10, y[head], text, bad ? "commit marked" : "commit", title});
  }

  // Critical sections: from cs_enter to cs_exit of the node; one whose other end is outside
  // the picture (or never written: the node stopped inside) runs to the picture's edge.
  std::map<NodeId, std::size_t> open;  // node -> its bar inside
  for (std::size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    if (e.kind == Kind::cs_enter) {
      if (auto it = open.find(e.node); it != open.end()) l.bars[it->second].y2 = y[i] - kRow / 2;
      open[e.node] = l.bars.size();
      Bar b;
      b.node = e.node;
      b.x = x[e.node];
      b.y1 = y[i];
      b.y2 = bottom;
      b.enter = i;
      b.marked = marked.contains(i);
      l.bars.push_back(b);
    } else if (e.kind == Kind::cs_exit) {
      auto it = open.find(e.node);
      if (it == open.end()) {
        Bar b;
        b.node = e.node;
        b.x = x[e.node];
        b.y1 = kTop;
        b.y2 = y[i];
        b.exit = i;
        b.marked = marked.contains(i);
        l.bars.push_back(b);
        continue;
      }
      Bar& b = l.bars[it->second];
      b.y2 = y[i];
      b.exit = i;
      b.marked = b.marked || marked.contains(i);
      open.erase(it);
    } else if (e.kind == Kind::start || e.kind == Kind::stop) {
      // Stopped inside: the bar ends with the node's last event before the start, or its stop.
      if (auto it = open.find(e.node); it != open.end()) {
        l.bars[it->second].y2 = y[i] - kRow / 2;
        open.erase(it);
      }
    } else if (e.kind == Kind::commit || e.kind == Kind::abort) {
      auto it = open.find(e.node);
      if (it == open.end() || e.tx_from != e.node) {
        if (e.kind == Kind::abort && it != open.end()) ++l.bars[it->second].aborted;
        continue;
      }
      Bar& b = l.bars[it->second];
      if (e.kind == Kind::abort) {
        ++b.aborted;
        continue;
      }
      if (b.committed++ == 0) b.first_index = e.index;
      b.last_index = e.index;
    }
  }

  for (std::size_t k = 0; k < matching.arrows.size(); ++k) {
    const Arrow& a = matching.arrows[k];
    const TraceEvent& s = events[a.send];
    const TraceEvent& r = events[a.recv];
    l.lines.push_back(Line{x[s.node], y[a.send], x[r.node], y[a.recv], k,
                           marked.contains(a.send) || marked.contains(a.recv)});
  }
  return l;
}

}  // namespace bank::trace
