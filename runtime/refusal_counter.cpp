// RefusalCounter: at most one line per interval, with a count.
#include "runtime/refusal_counter.hpp"

namespace bank {

std::optional<RefusalCounter::Line> RefusalCounter::add(std::int64_t now_ms, std::string latest) {
  ++count_;
  latest_ = std::move(latest);
  return due(now_ms);
}

std::optional<RefusalCounter::Line> RefusalCounter::due(std::int64_t now_ms) {
  if (count_ == 0 || (logged_ms_ && now_ms - *logged_ms_ < every_ms_)) return std::nullopt;
  logged_ms_ = now_ms;
  return flush();
}

std::optional<RefusalCounter::Line> RefusalCounter::flush() {
  if (count_ == 0) return std::nullopt;
  Line line{count_, std::move(latest_)};
  count_ = 0;
  latest_.clear();
  return line;
}

}  // namespace bank
