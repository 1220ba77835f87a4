// TraceWindow: bounds resolved against the first event; --last narrows what they leave.
#include "apps/trace/trace_window.hpp"

#include <algorithm>

namespace bank::trace {

std::vector<std::size_t> TraceWindow::select(const std::vector<TraceEvent>& events) const {
  std::vector<std::size_t> out;
  if (events.empty()) return out;
  const std::int64_t first = events.front().ts_us;
  std::int64_t lo = from ? from->at(first) : INT64_MIN;
  const std::int64_t hi = to ? to->at(first) : INT64_MAX;
  if (last) {
    std::vector<std::size_t> enters;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const TraceEvent& e = events[i];
      if (e.kind == TraceEvent::Kind::cs_enter && e.ts_us >= lo && e.ts_us <= hi) enters.push_back(i);
    }
    if (*last == 0) return out;
    if (enters.size() >= *last) {
      const TraceEvent& k = events[enters[enters.size() - *last]];
      std::int64_t start = k.ts_us;
      // From the request that this entry answered: its sending, to every peer.
      for (const TraceEvent& e : events)
        if (e.kind == TraceEvent::Kind::send && e.node == k.node && e.type == "request" && e.req == k.req)
          start = std::min(start, e.ts_us);
      lo = std::max(lo, start);
    }
  }
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].ts_us >= lo && events[i].ts_us <= hi) out.push_back(i);
  return out;
}

}  // namespace bank::trace
