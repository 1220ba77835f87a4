// TraceTime: the times bank-trace reads and prints: RFC 3339 UTC text (the log's `ts`) to
// microseconds since the Unix epoch and back, the window bounds people type (a time, or an
// offset after the first event), and durations for people. Pure: no clock is read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bank::trace {

class TraceTime {
 public:
  // "2024-05-01T12:00:03.123456Z" (any number of fraction digits, up to 9 read to the
  // microsecond; "Z" or "+hh:mm"/"-hh:mm") -> microseconds since the epoch.
  static std::optional<std::int64_t> parse(std::string_view text);
  // Microseconds since the epoch -> "2024-05-01T12:00:03.123456Z", as the log writes it.
  static std::string format(std::int64_t us);

  // A window bound as typed: an RFC 3339 time, or an offset after the first event in
  // seconds ("2.5", "+2.5s") or milliseconds ("300ms").
  struct Bound {
    bool offset = false;    // true: `us` counts from the first event
    std::int64_t us = 0;    // the time, or the offset
    // The absolute time, given the first event's.
    std::int64_t at(std::int64_t first_us) const { return offset ? first_us + us : us; }
  };
  static std::optional<Bound> parse_bound(std::string_view text);

  // A duration for people: "350 us", "12.3 ms", "1.204 s", "3 min 2 s".
  static std::string duration(std::int64_t us);
  // A time after the start, to the microsecond, for the picture's time axis: "0.350 ms",
  // "154.312 ms", "12.345678 s".
  static std::string offset(std::int64_t us);
};

}  // namespace bank::trace
