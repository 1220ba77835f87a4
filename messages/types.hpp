// The small value types every layer shares: node ids, cents, Lamport stamps.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace bank {

using NodeId = std::uint32_t;  // positive; also the Lamport tie-breaker
using Cents = std::int64_t;    // all money inside is integer cents
using Lamport = std::uint64_t;

// A request's identity and its place in the queue: ordered by (ts, node).
struct Stamp {
  Lamport ts = 0;
  NodeId node = 0;
  auto operator<=>(const Stamp&) const = default;
};

}  // namespace bank
