// SimEvent: one thing that happens at a simulated time: a frame, tick or bus message reaching
// a node, a client's request, a crash or restart, a partition cut or healed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "messages/bus_message.hpp"
#include "partition.hpp"

namespace bank::sim {

struct SimEvent {
  enum class Kind { frame, tick, client, bus, crash, restart, cut, heal };

  std::int64_t at = 0;
  std::uint64_t order = 0;  // ties broken by creation order: deterministic
  Kind kind = Kind::tick;
  NodeId node = 0;
  std::uint64_t epoch = 0;          // tick/bus: the node incarnation it belongs to; stale ones are void
  std::string bytes;                // frame
  std::size_t client = 0;           // client: its index in the workload
  Partition partition;              // cut/heal
  Actor to = Actor::bank;           // bus
  std::shared_ptr<BusMessage> msg;  // bus

  bool operator>(const SimEvent& o) const { return at != o.at ? at > o.at : order > o.order; }
};

}  // namespace bank::sim
