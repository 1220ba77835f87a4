// The small value types every layer shares: node ids, cents, Lamport stamps.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace bank {

using NodeId = std::uint32_t;  // positive; also the Lamport tie-breaker
using Cents = std::int64_t;    // all money inside is integer cents
using Lamport = std::uint64_t;

// The highest Lamport stamp or incarnation a peer frame may carry: 2^53. Every JSON reader
// holds it exactly (a double's integer range: jq, Python, JavaScript), and a clock that
// starts from it and goes up by one per event would need 2^63 more events to wrap. The
// peer decoder refuses frames above it (messages/peer_message.cpp).
inline constexpr std::uint64_t max_stamp = std::uint64_t{1} << 53;

// A Lamport clock after an event that saw `seen`: max(clock, seen) + 1, in arithmetic that
// never wraps (it stays at the top instead; stamps from peers never come near it).
constexpr Lamport clock_after(Lamport clock, Lamport seen) {
  Lamport m = clock > seen ? clock : seen;
  return m == UINT64_MAX ? m : m + 1;
}

// A request's identity and its place in the queue: ordered by (ts, node).
struct Stamp {
  Lamport ts = 0;
  NodeId node = 0;
  auto operator<=>(const Stamp&) const = default;
};

}  // namespace bank
