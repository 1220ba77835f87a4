// TraceDocument: the checker's findings are over every event; those in the window are marked.
#include "apps/trace/trace_document.hpp"

#include <map>
#include <set>

#include "apps/trace/trace_renderer.hpp"
#include "apps/trace/trace_time.hpp"

namespace bank::trace {

TraceDocument::TraceDocument(const std::vector<TraceEvent>& all, const CheckReport* report, const Options& options)
    : options_(options), report_(report) {
  const std::vector<std::size_t> kept = options.window.select(all);
  std::map<std::size_t, std::size_t> position;  // index in `all` -> in shown_
  shown_.reserve(kept.size());
  for (std::size_t i : kept) {
    position[i] = shown_.size();
    shown_.push_back(all[i]);
  }
  std::set<std::size_t> marked;
  if (report)
    for (const auto& v : report->violations)
      for (std::size_t i : v.events)
        if (auto it = position.find(i); it != position.end()) marked.insert(it->second);
  matching_ = MessageMatcher::match(shown_);
  layout_ = TraceLayout::build(shown_, matching_, marked);
  svg_ = TraceRenderer::svg(layout_, shown_, matching_);
  if (!shown_.empty()) {
    from_us_ = shown_.front().ts_us;
    to_us_ = shown_.back().ts_us;
  }
}

std::string TraceDocument::summary() const {
  std::string s = std::to_string(nodes()) + " node" + (nodes() == 1 ? "" : "s") + ", " + std::to_string(events()) +
                  " events, " + std::to_string(sections()) + " critical sections, " + std::to_string(arrows()) +
                  " messages";
  std::string notes;
  auto note = [&](std::size_t n, const char* what) {
    if (n) notes += (notes.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  note(matching_.unmatched_sends, "sent without a receipt in the picture");
  note(matching_.unmatched_recvs, "received without their sending in the picture");
  note(matching_.resends, "resent");
  note(matching_.duplicates, "received twice");
  if (!notes.empty()) s += " (" + notes + ")";
  return s;
}

nlohmann::json TraceDocument::summary_json() const {
  return {{"nodes", nodes()},
          {"events", events()},
          {"critical_sections", sections()},
          {"messages", arrows()},
          {"unmatched_sends", matching_.unmatched_sends},
          {"unmatched_recvs", matching_.unmatched_recvs},
          {"resends", matching_.resends},
          {"duplicates", matching_.duplicates},
          {"from", shown_.empty() ? "" : TraceTime::format(from_us_)},
          {"to", shown_.empty() ? "" : TraceTime::format(to_us_)}};
}

std::string TraceDocument::html() const {
  TraceRenderer::Page page;
  page.title = options_.title;
  page.facts = options_.facts;
  std::string span = shown_.empty() ? "no events in the picture"
                                    : TraceTime::format(from_us_) + " to " + TraceTime::format(to_us_) + " (" +
                                          TraceTime::duration(to_us_ - from_us_) + ")";
  page.facts.push_back(span);
  page.facts.push_back(summary());
  page.report = report_;
  return TraceRenderer::html(svg_, page);
}

}  // namespace bank::trace
