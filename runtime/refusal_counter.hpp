// RefusalCounter: how a flood of refused connections becomes log lines: the first at once,
// then at most one line per `every_ms` with how many there were since the last one. A count
// left over when the flood stops is not lost: it is due `every_ms` after the last line, for
// whoever looks (the owner calls due() on its timer). No clock of its own: the caller says
// when, so it is tested without sleeping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bank {

class RefusalCounter {
 public:
  struct Line {
    std::uint64_t count = 0;  // refusals since the last line
    std::string latest;       // what the owner said of the latest one
  };

  explicit RefusalCounter(std::int64_t every_ms) : every_ms_(every_ms) {}

  // One more refusal at `now_ms`; the line to log now, if one is due.
  std::optional<Line> add(std::int64_t now_ms, std::string latest);
  // The line of the refusals counted and not logged yet, once `every_ms` has passed.
  std::optional<Line> due(std::int64_t now_ms);
  // The line of the refusals counted and not logged yet, whenever it is (the owner stops).
  std::optional<Line> flush();

 private:
  std::int64_t every_ms_;
  std::uint64_t count_ = 0;
  std::string latest_;
  std::optional<std::int64_t> logged_ms_;  // when the last line went out
};

}  // namespace bank
