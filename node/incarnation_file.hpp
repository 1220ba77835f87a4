// IncarnationFile: the node's incarnation, kept in its data folder so that it rises with
// every start whatever the wall clock does. Peers drop every frame of an incarnation below
// the newest they saw of a node, so a node whose clock was set back and that took the
// clock's microseconds again would never be heard. The clock still gives the number (it
// rises across starts from an empty folder too), unless it is not above the last one plus
// a gap.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "messages/result.hpp"

namespace bank {

class IncarnationFile {
 public:
  // A link raises its side's incarnation by one each time it starts its session over
  // (LinkSession's overflow), so a start must stay above the last one by more than any run
  // makes of those: a billion.
  static constexpr std::uint64_t kGap = 1'000'000'000;

  // The incarnation after `last` at wall clock `clock_us` (microseconds since the epoch).
  static std::uint64_t next(std::uint64_t clock_us, std::optional<std::uint64_t> last);

  // Reads `dir`/incarnation (none yet: no last), chooses next(), and writes it there through
  // a file renamed over the old one, synced with its folder when `fsync`, before the node
  // uses it. Errors: "incarnation.corrupt" (the file holds no number), "incarnation.io".
  static Result<std::uint64_t> advance(const std::filesystem::path& dir, std::uint64_t clock_us, bool fsync);
};

}  // namespace bank
