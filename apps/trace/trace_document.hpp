// TraceDocument: a run's events made into the picture: the window picked, messages matched,
// the layout, the SVG and the HTML page, and the figures of it for people and scripts.
// bank-trace and bank-sim --trace both make their pictures here.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/trace/message_matcher.hpp"
#include "apps/trace/trace_checker.hpp"
#include "apps/trace/trace_event.hpp"
#include "apps/trace/trace_layout.hpp"
#include "apps/trace/trace_window.hpp"

namespace bank::trace {

class TraceDocument {
 public:
  struct Options {
    std::string title = "Lamport Bank: space-time diagram";
    std::vector<std::string> facts;  // extra lines under the heading (where the events came from)
    TraceWindow window;
  };

  // `all`: every event read, in trace order; `report`: the checker's over them, or null.
  TraceDocument(const std::vector<TraceEvent>& all, const CheckReport* report, const Options& options);

  const std::string& svg() const { return svg_; }
  std::string html() const;

  std::size_t nodes() const { return layout_.columns.size(); }
  std::size_t events() const { return shown_.size(); }
  std::size_t rows() const { return layout_.rows.size(); }
  std::size_t sections() const { return layout_.bars.size(); }
  std::size_t arrows() const { return matching_.arrows.size(); }
  const Matching& matching() const { return matching_; }
  // "3 nodes, 214 events, 14 critical sections, 40 messages (2 without a receipt)"
  std::string summary() const;
  nlohmann::json summary_json() const;

 private:
  Options options_;
  const CheckReport* report_;
  std::vector<TraceEvent> shown_;
  Matching matching_;
  TraceLayout layout_;
  std::string svg_;
  std::int64_t from_us_ = 0, to_us_ = 0;
};

}  // namespace bank::trace
