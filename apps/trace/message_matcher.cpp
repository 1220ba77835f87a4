// MessageMatcher: one pass to index both ends by key, one to pair them.
#include "apps/trace/message_matcher.hpp"

#include <algorithm>
#include <map>

namespace bank::trace {

Matching MessageMatcher::match(const std::vector<TraceEvent>& events) {
  struct Ends {
    std::vector<std::size_t> sends, recvs;
  };
  std::map<MessageKey, Ends> by_key;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    if (e.kind == TraceEvent::Kind::send) by_key[e.key].sends.push_back(i);
    if (e.kind == TraceEvent::Kind::recv) by_key[e.key].recvs.push_back(i);
  }
  Matching m;
  for (const auto& [key, ends] : by_key) {
    if (ends.sends.size() > 1) m.resends += ends.sends.size() - 1;
    if (ends.recvs.size() > 1) m.duplicates += ends.recvs.size() - 1;
    if (ends.sends.empty()) {
      ++m.unmatched_recvs;
    } else if (ends.recvs.empty()) {
      ++m.unmatched_sends;
    } else {
      m.arrows.push_back(Arrow{ends.sends.front(), ends.recvs.front(), ends.sends.size(), ends.recvs.size()});
    }
  }
  std::sort(m.arrows.begin(), m.arrows.end(), [](const Arrow& a, const Arrow& b) { return a.send < b.send; });
  return m;
}

}  // namespace bank::trace
