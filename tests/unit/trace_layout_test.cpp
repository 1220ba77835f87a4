// TraceLayout: a column per node, a row per event (a run of commits shares one), a break
// for a long pause, a bar per critical section with its batch, a line per message.
#include "apps/trace/trace_layout.hpp"

#include <doctest/doctest.h>

#include "trace_script.hpp"

using namespace bank;
using namespace bank::trace;
using bank::trace::unit::TraceScript;

TEST_CASE("trace layout: columns, rows, bars and lines of two entries a second apart") {
  TraceScript s;
  s.entry(0, 1, {2, 3}, 10, 1, "1-1");
  s.entry(1000000, 3, {1, 2}, 20, 2, "3-1");
  auto events = s.events();
  auto m = MessageMatcher::match(events);
  auto l = TraceLayout::build(events, m, {});
  REQUIRE(l.columns.size() == 3);
  CHECK(l.columns[0].node == 1);
  CHECK(l.columns[1].x - l.columns[0].x == TraceLayout::kColumn);
  CHECK(l.rows.size() == events.size());
  for (std::size_t i = 1; i < l.rows.size(); ++i) CHECK(l.rows[i].y > l.rows[i - 1].y);
  REQUIRE(l.gaps.size() == 1);
  CHECK(l.gaps[0].us > 900000);
  REQUIRE(l.bars.size() == 2);
  CHECK(l.bars[0].node == 1);
  CHECK(l.bars[0].committed == 1);
  CHECK(l.bars[0].first_index == 1);
  CHECK(l.bars[0].y2 > l.bars[0].y1);
  CHECK(l.bars[1].node == 3);
  CHECK(l.lines.size() == 12);
  CHECK(l.dots.size() == 2 * (12 + 2));
  // Each line goes from its send's row to its receipt's, downwards here.
  for (const auto& line : l.lines) CHECK(line.y2 > line.y1);
}

TEST_CASE("trace layout: a node's run of commits is one row and one label") {
  TraceScript s;
  s.enter(0, 1, {10, 1});
  for (int k = 1; k <= 5; ++k) s.commit(k, 1, k, "1-" + std::to_string(k), 1, 2);
  s.exit(10, 1, {10, 1});
  auto events = s.events();
  auto l = TraceLayout::build(events, MessageMatcher::match(events), {});
  CHECK(l.rows.size() == 3);
  REQUIRE(l.labels.size() == 1);
  CHECK(l.labels[0].text == "#1-5");
  CHECK(l.labels[0].kind == "commit");
  CHECK(l.labels[0].title.find("block 5: 1-5  1 -> 2  $1.00") != std::string::npos);
  REQUIRE(l.bars.size() == 1);
  CHECK(l.bars[0].committed == 5);
  CHECK(l.bars[0].last_index == 5);
}

TEST_CASE("trace layout: a section with an end outside the picture runs to its edge") {
  TraceScript s;
  s.exit(10, 1, {10, 1});
  s.enter(20, 2, {20, 2});
  auto events = s.events();
  auto l = TraceLayout::build(events, MessageMatcher::match(events), {});
  REQUIRE(l.bars.size() == 2);
  CHECK_FALSE(l.bars[0].enter);
  CHECK(l.bars[0].y1 == TraceLayout::kTop);
  CHECK_FALSE(l.bars[1].exit);
  CHECK(l.bars[1].y2 > l.rows.back().y);
}

TEST_CASE("trace layout: events named by a violation are marked") {
  TraceScript s;
  s.entry(0, 1, {2}, 10, 1, "1-1");
  auto events = s.events();
  std::size_t enter = 0;
  while (events[enter].kind != TraceEvent::Kind::cs_enter) ++enter;
  auto l = TraceLayout::build(events, MessageMatcher::match(events), {enter});
  REQUIRE(l.bars.size() == 1);
  CHECK(l.bars[0].marked);
  std::size_t marked = 0;
  for (const auto& d : l.dots) marked += d.marked;
  CHECK(marked == 1);
}
