// TraceLayout: where everything of a space-time diagram goes, before any markup: one column
// per node, time flowing down one row per event (a node's run of commits shares one row), a
// break across the picture where nothing happened for a while, an arrow per message from its
// send to its receipt, a bar per critical section with its batch, labels for commits,
// aborts, links and starts. Rows keep the picture readable where real time would not: a
// critical section takes a fraction of a millisecond, the pause before the next transfer
// seconds. The y of each row is in order of time; the time itself is printed at the left.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "apps/trace/message_matcher.hpp"
#include "apps/trace/trace_event.hpp"

namespace bank::trace {

struct TraceLayout {
  struct Column {
    NodeId node = 0;
    double x = 0;
  };
  struct Row {
    double y = 0;
    std::int64_t ts_us = 0;
  };
  struct Gap {  // nothing happened for `us` above this y
    double y = 0;
    std::int64_t us = 0;
  };
  struct Dot {  // an event on its node's line
    double x = 0, y = 0;
    std::size_t event = 0;
    bool marked = false;  // named by a violation
  };
  struct Line {  // a message
    double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    std::size_t arrow = 0;  // index into the matching's arrows
    bool marked = false;
  };
  struct Bar {  // a critical section
    NodeId node = 0;
    double x = 0, y1 = 0, y2 = 0;
    std::optional<std::size_t> enter, exit;  // events; none: outside the picture or never written
    std::size_t committed = 0;  // own transfers appended inside
    std::size_t aborted = 0;    // and refused for funds: the batch is both
    std::uint64_t first_index = 0, last_index = 0;  // the blocks committed, when any
    bool marked = false;
  };
  struct Label {  // text beside a node's line
    double x = 0, y = 0;
    std::string text;
    std::string kind;  // commit, abort, link, start, error
    std::string title;  // hover
  };

  std::vector<Column> columns;
  std::vector<Row> rows;
  std::vector<Gap> gaps;
  std::vector<Dot> dots;
  std::vector<Line> lines;
  std::vector<Bar> bars;
  std::vector<Label> labels;
  double width = 0, height = 0;
  double top = 0;  // where the rows begin (below the column heads)
  std::int64_t first_us = 0;  // the first row's time: the axis counts from it

  // Geometry, in SVG user units.
  static constexpr double kLeft = 110;      // the time axis
  static constexpr double kColumn = 250;    // between node lines
  static constexpr double kTop = 56;        // column heads
  static constexpr double kRow = 18;
  static constexpr double kGap = 30;        // a break
  static constexpr double kBottom = 24;
  static constexpr std::int64_t kGapUs = 50000;  // a pause this long or longer is a break

  // `events` in trace order, `matching` over them, `marked`: indices of events a violation
  // names (drawn in red).
  static TraceLayout build(const std::vector<TraceEvent>& events, const Matching& matching,
                           const std::set<std::size_t>& marked);
};

}  // namespace bank::trace
