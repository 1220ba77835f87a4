// Histogram: fixed buckets, a linear search over at most 24 bounds per observation.
#include "messages/histogram.hpp"

#include <algorithm>
#include <stdexcept>

namespace bank {

namespace {
bool ascending(std::span<const std::uint64_t> bounds) {
  return bounds.size() <= Histogram::kMaxBounds && std::adjacent_find(bounds.begin(), bounds.end(), [](auto a, auto b) {
                                                     return a >= b;
                                                   }) == bounds.end();
}
}  // namespace

Histogram::Histogram(std::span<const std::uint64_t> bounds) : size_(bounds.size()) {
  if (!ascending(bounds)) throw std::logic_error("histogram bounds must be ascending, at most 24 of them");
  std::copy(bounds.begin(), bounds.end(), bounds_.begin());
}

std::optional<Histogram> Histogram::from_parts(std::span<const std::uint64_t> bounds,
                                               std::span<const std::uint64_t> counts, std::uint64_t sum) {
  if (!ascending(bounds) || counts.size() != bounds.size() + 1) return std::nullopt;
  Histogram h(bounds);
  std::copy(counts.begin(), counts.end(), h.counts_.begin());
  for (auto c : counts) h.count_ += c;
  h.sum_ = sum;
  return h;
}

void Histogram::observe(std::uint64_t value) {
  std::size_t i = 0;
  while (i < size_ && value > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

bool Histogram::operator==(const Histogram& other) const {
  return std::ranges::equal(bounds(), other.bounds()) && std::ranges::equal(counts(), other.counts()) &&
         sum_ == other.sum_ && count_ == other.count_;
}

}  // namespace bank
