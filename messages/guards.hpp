// Guards: the incarnation checks a meta-test may remove, one at a time, to show that the
// simulation notices (bank-sim --remove-guard NAME --expect-violation). Every guard is in
// force in bank-node and in every other test: nothing but bank-sim's flag removes one.
#pragma once

#include <array>
#include <string_view>

namespace bank::guards {

enum class Guard {
  old_incarnation_dropped,   // link: a frame from an incarnation older than the peer's is dropped
  exact_incarnation,         // link: a sequenced frame needs the peer's incarnation, sent to ours
  greeting_to_us,            // link: only a frame addressed to our incarnation greets
  restart_voids_session,     // link: a new peer incarnation voids what the old session owed
  restart_drops_requests,    // mutex: a restarted peer's queued requests and releases are dropped
  request_after_greetings,   // mutex: no request before every peer's greeting lifted our clock
  count
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(Guard::count)> names{
    "old-incarnation-dropped", "exact-incarnation",      "greeting-to-us",
    "restart-voids-session",   "restart-drops-requests", "request-after-greetings"};

// The removed guard, if any (set once, before a simulation starts).
inline Guard removed = Guard::count;

inline bool on(Guard g) { return removed != g; }

}  // namespace bank::guards
