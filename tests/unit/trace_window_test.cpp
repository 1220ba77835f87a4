// TraceWindow: --from/--to as times or offsets, --last K from the request of the K-th last entry.
#include "apps/trace/trace_window.hpp"

#include <doctest/doctest.h>

#include "trace_script.hpp"

using namespace bank;
using namespace bank::trace;
using bank::trace::unit::TraceScript;

namespace {

std::vector<TraceEvent> three_entries() {
  TraceScript s;
  s.entry(0, 1, {2}, 10, 1, "1-1");
  s.entry(1000000, 2, {1}, 20, 2, "2-1");  // a second later
  s.entry(2000000, 1, {2}, 30, 3, "1-2");
  return s.events();
}

std::size_t entries_in(const std::vector<TraceEvent>& events, const std::vector<std::size_t>& kept) {
  std::size_t n = 0;
  for (std::size_t i : kept) n += events[i].kind == TraceEvent::Kind::cs_enter;
  return n;
}

}  // namespace

TEST_CASE("trace window: the whole run when nothing is asked") {
  auto events = three_entries();
  TraceWindow w;
  CHECK(w.whole());
  CHECK(w.select(events).size() == events.size());
}

TEST_CASE("trace window: offsets count from the first event, times are times") {
  auto events = three_entries();
  TraceWindow w;
  w.from = TraceTime::parse_bound("0.5");
  w.to = TraceTime::parse_bound("1500ms");
  auto kept = w.select(events);
  CHECK(kept.size() == 10);
  CHECK(entries_in(events, kept) == 1);
  CHECK(events[kept.front()].node == 2);
  w.from = TraceTime::parse_bound(TraceTime::format(TraceScript::kStart + 2000000));
  w.to.reset();
  kept = w.select(events);
  CHECK(kept.size() == 10);
  CHECK(events[kept.front()].ts_us == TraceScript::kStart + 2000000);
}

TEST_CASE("trace window: --last K begins at the request that led to the K-th last entry") {
  auto events = three_entries();
  TraceWindow w;
  w.last = 2;
  auto kept = w.select(events);
  CHECK(entries_in(events, kept) == 2);
  CHECK(events[kept.front()].kind == TraceEvent::Kind::send);
  CHECK(events[kept.front()].type == "request");
  CHECK(events[kept.front()].req == Stamp{20, 2});
  w.last = 10;
  CHECK(w.select(events).size() == events.size());
}
