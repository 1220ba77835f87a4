// Histogram: how many observations fell in each of a fixed set of buckets, with their sum
// and count, for a node's metrics (docs/console-protocol.md#metrics). A value type of fixed
// size: observing allocates nothing, and a copy travels in a metrics reply as it is.
//
// Buckets are given by ascending upper bounds, in the metric's own integer unit
// (microseconds for durations, so that a Prometheus exporter's seconds are exact decimals).
// counts() has one more entry than bounds(): counts()[i] holds the observations v with
// bounds()[i-1] < v <= bounds()[i] (not cumulative), and the last one those above the
// last bound (Prometheus' le="+Inf" once summed up).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace bank {

class Histogram {
 public:
  static constexpr std::size_t kMaxBounds = 24;

  // Durations in microseconds, 10 µs to 10 s in steps of 1, 2.5, 5: what entries wait and
  // hold, what a disk sync and a round trip take, on a laptop or a loaded server.
  static constexpr std::array<std::uint64_t, 19> kMicros{
      10,      25,      50,      100,       250,       500,       1'000,     2'500,     5'000,     10'000,
      25'000,  50'000,  100'000, 250'000,   500'000,   1'000'000, 2'500'000, 5'000'000, 10'000'000};
  // Transfers per critical-section entry: 0 (an entry that committed none) up to the
  // largest `batch` a config allows.
  static constexpr std::array<std::uint64_t, 13> kPerEntry{0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1'024, 10'000};

  // No bounds: one bucket for everything.
  Histogram() = default;
  // `bounds`: strictly ascending, at most kMaxBounds (a programming error otherwise: the
  // constants above are the ones the cores use).
  explicit Histogram(std::span<const std::uint64_t> bounds);
  // A histogram read back from its parts (a metrics reply); nullopt unless `bounds` are
  // strictly ascending and at most kMaxBounds, and `counts` has one entry more.
  static std::optional<Histogram> from_parts(std::span<const std::uint64_t> bounds,
                                             std::span<const std::uint64_t> counts, std::uint64_t sum);

  void observe(std::uint64_t value);
  // A duration from `start` to `end` (microseconds); one that would be negative counts as 0.
  void observe_span(std::int64_t start, std::int64_t end) {
    observe(end > start ? static_cast<std::uint64_t>(end - start) : 0);
  }

  std::span<const std::uint64_t> bounds() const { return {bounds_.data(), size_}; }
  std::span<const std::uint64_t> counts() const { return {counts_.data(), size_ + 1}; }
  std::uint64_t sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

  bool operator==(const Histogram& other) const;

 private:
  std::array<std::uint64_t, kMaxBounds> bounds_{};
  std::array<std::uint64_t, kMaxBounds + 1> counts_{};
  std::size_t size_ = 0;  // bounds in use
  std::uint64_t sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace bank
