// RecentTrace: each node's feed is a source of its own (ordered by seq), as bank-trace's
// live follow makes them.
#include "apps/trace/recent_trace.hpp"

#include <algorithm>
#include <vector>

#include "apps/trace/trace_document.hpp"
#include "apps/trace/trace_event.hpp"

namespace bank::trace {

RecentTrace::Picture RecentTrace::draw(const std::map<NodeId, std::deque<nlohmann::json>>& feeds, double seconds) {
  std::vector<TraceEvent> all;
  std::size_t source = 0;
  for (const auto& [id, feed] : feeds) {
    for (const auto& e : feed) {
      auto ev = TraceEvent::from_json(e);
      if (!ev || !*ev) continue;
      TraceEvent& t = **ev;
      t.source = source;
      t.order = e.value("seq", std::uint64_t{0});
      t.where = "node " + std::to_string(id) + " feed event " + std::to_string(t.order);
      all.push_back(std::move(t));
    }
    ++source;
  }
  std::sort(all.begin(), all.end(), trace_order);
  if (!all.empty()) {
    const auto from = all.back().ts_us - static_cast<std::int64_t>(seconds * 1e6);
    auto first = std::find_if(all.begin(), all.end(), [&](const TraceEvent& t) { return t.ts_us >= from; });
    if (all.end() - first > static_cast<std::ptrdiff_t>(kMaxEvents)) first = all.end() - kMaxEvents;
    all.erase(all.begin(), first);
  }
  TraceDocument doc(all, nullptr, TraceDocument::Options{});
  return Picture{doc.svg(), doc.summary(), doc.events()};
}

}  // namespace bank::trace
