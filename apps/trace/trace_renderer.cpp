// TraceRenderer: markup by hand (a few element kinds, all attributes ours but the escaped
// texts). Numbers are printed with one decimal at most, so the same run gives the same file.
#include "apps/trace/trace_renderer.hpp"

#include <cstdio>

#include "apps/trace/trace_time.hpp"

namespace bank::trace {

namespace {

using Kind = TraceEvent::Kind;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

std::string stamp_text(const Stamp& s) { return std::to_string(s.ts) + "." + std::to_string(s.node); }

// The style of the picture, inside the SVG so it holds wherever the SVG goes.
constexpr const char* kStyle = R"(
  svg { background: #fff; }
  text { font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 11px; fill: #222; }
  .head { font-size: 13px; font-weight: bold; }
  .axis { fill: #888; font-size: 10px; text-anchor: end; }
  .since { fill: #888; font-size: 10px; }
  .node-line { stroke: #bbb; stroke-width: 1.5; }
  .gap line { stroke: #ccc; stroke-dasharray: 2 4; }
  .gap text { fill: #999; font-style: italic; }
  .cs { fill: #fde68a; stroke: #b45309; stroke-width: 1; }
  .cs.open { stroke-dasharray: 3 2; }
  .cs.marked, .marked .shaft { stroke: #dc2626; stroke-width: 2.5; }
  .batch { fill: #92400e; font-weight: bold; }
  .msg .shaft { stroke-width: 1.3; fill: none; }
  .msg .hit { stroke: transparent; stroke-width: 8; }
  .msg:hover .shaft { stroke-width: 3; }
  .request .shaft { stroke: #2563eb; }
  .reply .shaft { stroke: #16a34a; }
  .release .shaft { stroke: #ea580c; }
  .dot { fill: #444; }
  .dot.marked { fill: #dc2626; }
  .commit { fill: #111; }
  .commit.marked { fill: #dc2626; font-weight: bold; }
  .abort { fill: #9f1239; }
  .link { fill: #6b7280; font-style: italic; }
  .start { fill: #1d4ed8; font-style: italic; }
  .error { fill: #dc2626; font-weight: bold; }
)";

std::string marker(const char* id, const char* colour) {
  return std::string("<marker id=\"") + id +
         "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
         "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"" +
         colour + "\"/></marker>";
}

std::string title(std::string_view text) { return "<title>" + TraceRenderer::escape(text) + "</title>"; }

}  // namespace

std::string TraceRenderer::escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // XML 1.0 allows no control characters but tab and newlines; the log escapes them,
        // so one here came from elsewhere: shown as a space.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string TraceRenderer::svg(const TraceLayout& l, const std::vector<TraceEvent>& events, const Matching& matching) {
  std::string s;
  s.reserve(4096 + events.size() * 300);
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(l.width) + "\" height=\"" + num(l.height) +
       "\" viewBox=\"0 0 " + num(l.width) + " " + num(l.height) + "\">\n";
  s += "<style>";
  s += kStyle;
  s += "</style>\n<defs>" + marker("arrow-request", "#2563eb") + marker("arrow-reply", "#16a34a") +
       marker("arrow-release", "#ea580c") + "</defs>\n";

  // Column heads and node lines.
  for (const auto& c : l.columns) {
    s += "<text class=\"head\" x=\"" + num(c.x) + "\" y=\"" + num(l.top - 22) + "\" text-anchor=\"middle\">node " +
         std::to_string(c.node) + "</text>\n";
    s += "<line class=\"node-line\" x1=\"" + num(c.x) + "\" y1=\"" + num(l.top - 12) + "\" x2=\"" + num(c.x) +
         "\" y2=\"" + num(l.height - TraceLayout::kBottom) + "\"/>\n";
  }
  s += "<text class=\"since\" x=\"8\" y=\"14\">time since " + escape(TraceTime::format(l.first_us)) + "</text>\n";

  // The time of each row, and the breaks.
  // A row repeats no time its row above already says.
  std::string said;
  for (const auto& r : l.rows) {
    std::string t = TraceTime::offset(r.ts_us - l.first_us);
    if (t == said) continue;
    s += "<text class=\"axis\" x=\"" + num(TraceLayout::kLeft - 8) + "\" y=\"" + num(r.y + 4) + "\">" + escape(t) +
         "</text>\n";
    said = std::move(t);
  }
  for (const auto& g : l.gaps)
    s += "<g class=\"gap\"><line x1=\"8\" y1=\"" + num(g.y) + "\" x2=\"" + num(l.width - 20) + "\" y2=\"" +
         num(g.y) + "\"/><text x=\"8\" y=\"" + num(g.y - 4) + "\">" + escape(TraceTime::duration(g.us)) +
         " later</text></g>\n";

  // Critical sections under everything else.
  for (const auto& b : l.bars) {
    const bool open = !b.enter || !b.exit;
    std::string cls = "cs";
    if (open) cls += " open";
    if (b.marked) cls += " marked";
    std::string hover = "node " + std::to_string(b.node) + " in the critical section";
    if (b.enter) hover += ", request " + stamp_text(events[*b.enter].req);
    hover += "\n";
    if (b.enter && b.exit)
      hover += "held " + TraceTime::duration(events[*b.exit].ts_us - events[*b.enter].ts_us) + "\n";
    else if (!b.enter)
      hover += "entered before the picture begins\n";
    else
      hover += "no exit in the picture (it ends, or the node stopped inside)\n";
    hover += "batch: " + std::to_string(b.committed) + " transfer" + (b.committed == 1 ? "" : "s") + " committed";
    if (b.committed) hover += " (blocks " + std::to_string(b.first_index) + "-" + std::to_string(b.last_index) + ")";
    if (b.aborted) hover += ", " + std::to_string(b.aborted) + " aborted";
    const double h = std::max(b.y2 - b.y1, 4.0);
    s += "<rect class=\"" + cls + "\" x=\"" + num(b.x - 6) + "\" y=\"" + num(b.y1) + "\" width=\"12\" height=\"" +
         num(h) + "\" rx=\"2\">" + title(hover) + "</rect>\n";
    if (b.enter) {
      // The batch: every transfer the entry decided, committed or aborted for funds.
      std::string batch = "batch " + std::to_string(b.committed + b.aborted);
      if (b.aborted) batch += " (" + std::to_string(b.aborted) + " aborted)";
      s += "<text class=\"batch\" x=\"" + num(b.x + 10) + "\" y=\"" + num(b.y1 + 4) + "\">" + escape(batch) +
           "</text>\n";
    }
  }

  // Messages.
  for (const auto& line : l.lines) {
    const Arrow& a = matching.arrows[line.arrow];
    const TraceEvent& snd = events[a.send];
    const TraceEvent& rcv = events[a.recv];
    std::string hover = snd.type + " " + stamp_text(snd.req) + " from node " + std::to_string(snd.key.from) +
                        " to node " + std::to_string(snd.key.to) + ", stamped " + std::to_string(snd.msg_lamport) +
                        ", seq " + std::to_string(snd.key.seq);
    if (snd.type == "release") hover += ", " + std::to_string(snd.blocks) + " block" + (snd.blocks == 1 ? "" : "s");
    hover += "\nsent " + TraceTime::format(snd.ts_us) + " (" + snd.where + ")";
    if (a.sends > 1) hover += ", " + std::to_string(a.sends) + " times";
    hover += "\nreceived " + TraceTime::format(rcv.ts_us) + " (" + rcv.where + "), " +
             TraceTime::duration(rcv.ts_us - snd.ts_us) + " later";
    if (a.recvs > 1) hover += ", " + std::to_string(a.recvs) + " times";
    hover += "\n" + snd.text;
    const std::string coords = "x1=\"" + num(line.x1) + "\" y1=\"" + num(line.y1) + "\" x2=\"" + num(line.x2) +
                               "\" y2=\"" + num(line.y2) + "\"";
    s += "<g class=\"msg " + snd.type + (line.marked ? " marked" : "") + "\">" + title(hover) + "<line class=\"hit\" " +
         coords + "/><line class=\"shaft\" " + coords + " marker-end=\"url(#arrow-" + snd.type + ")\"/></g>\n";
  }

  // Events on the lines, and the labels beside them.
  for (const auto& d : l.dots) {
    const TraceEvent& e = events[d.event];
    s += "<circle class=\"dot" + std::string(d.marked ? " marked" : "") + "\" cx=\"" + num(d.x) + "\" cy=\"" +
         num(d.y) + "\" r=\"2.5\">" + title(e.text + "\n" + e.where) + "</circle>\n";
  }
  for (const auto& t : l.labels)
    s += "<text class=\"" + t.kind + "\" x=\"" + num(t.x) + "\" y=\"" + num(t.y + 4) + "\">" + title(t.title) +
         escape(t.text) + "</text>\n";
  s += "</svg>\n";
  return s;
}

std::string TraceRenderer::html(const std::string& svg, const Page& page) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(page.title) +
      "</title>\n<style>\n"
      "  body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }\n"
      "  h1 { font-size: 1.3em; margin: 0 0 0.3em 0; }\n"
      "  p.facts { margin: 0.2em 0; color: #444; }\n"
      "  .ok { color: #15803d; } .bad { color: #dc2626; }\n"
      "  ul.findings { color: #dc2626; font-family: ui-monospace, monospace; font-size: 12px; }\n"
      "  .key span { margin-right: 1.2em; white-space: nowrap; }\n"
      "  .key i { display: inline-block; width: 22px; height: 3px; vertical-align: middle; margin-right: 4px; }\n"
      "</style>\n</head>\n<body>\n<h1>" +
      escape(page.title) + "</h1>\n";
  for (const auto& f : page.facts) h += "<p class=\"facts\">" + escape(f) + "</p>\n";
  if (page.report) {
    const CheckReport& r = *page.report;
    h += std::string("<p class=\"facts ") + (r.ok() ? "ok" : "bad") + "\">" + escape(r.summary()) + "</p>\n";
    if (!r.ok()) {
      h += "<ul class=\"findings\">\n";
      for (const auto& v : r.violations) h += "<li>" + escape(v.text) + "</li>\n";
      h += "</ul>\n";
    }
  }
  h += "<p class=\"key\"><span><i style=\"background:#2563eb\"></i>request</span>"
       "<span><i style=\"background:#16a34a\"></i>reply</span>"
       "<span><i style=\"background:#ea580c\"></i>release (carries the blocks)</span>"
       "<span><i style=\"background:#fde68a;height:10px;width:10px;border:1px solid #b45309\"></i>critical section, "
       "with its batch</span><span>#N: blocks committed</span><span>red: named by a check</span>"
       "<span>hover anything for its log line</span></p>\n";
  h += svg;
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace bank::trace
