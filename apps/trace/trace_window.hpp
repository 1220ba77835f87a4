// TraceWindow: which events a picture shows: those between --from and --to (a time, or an
// offset after the first event), or from the request of the K-th last critical-section
// entry on (--last K), so the messages that led to it are in the picture too.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "apps/trace/trace_event.hpp"
#include "apps/trace/trace_time.hpp"

namespace bank::trace {

class TraceWindow {
 public:
  std::optional<TraceTime::Bound> from, to;
  std::optional<std::size_t> last;  // entries

  bool whole() const { return !from && !to && !last; }
  // Indices of `events` (in trace order) inside the window, in order.
  std::vector<std::size_t> select(const std::vector<TraceEvent>& events) const;
};

}  // namespace bank::trace
