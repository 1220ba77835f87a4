// RecentTrace: the space-time diagram of a cluster's last seconds, from the events its nodes'
// feeds gave (each an object of the console's `events` reply): bank-web's live diagram, drawn
// by the same layout and renderer as bank-trace's pictures. Pure.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "messages/types.hpp"

namespace bank::trace {

class RecentTrace {
 public:
  // The most events drawn: past it, the newest this many (a picture stays quick to draw).
  static constexpr std::size_t kMaxEvents = 1500;

  struct Picture {
    std::string svg;
    std::string summary;  // "3 nodes, 214 events, ..." (TraceDocument's)
    std::size_t events = 0;
  };
  // The events up to `seconds` before the newest one of any node; events that are not feed
  // events of the trace's kinds are left out.
  static Picture draw(const std::map<NodeId, std::deque<nlohmann::json>>& feeds, double seconds);
};

}  // namespace bank::trace
