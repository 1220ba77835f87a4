// Histogram: which bucket a value lands in (a bound belongs to its own bucket), the
// overflow bucket, sum and count, and reading one back from its parts.
#include "messages/histogram.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

using bank::Histogram;

namespace {
std::vector<std::uint64_t> counts(const Histogram& h) { return {h.counts().begin(), h.counts().end()}; }
}  // namespace

TEST_CASE("histogram: a value lands in the first bucket whose bound it does not exceed") {
  const std::vector<std::uint64_t> bounds{10, 100, 1000};
  Histogram h(bounds);
  CHECK(counts(h) == std::vector<std::uint64_t>{0, 0, 0, 0});
  for (std::uint64_t v : {0, 10, 11, 100, 101, 999, 1000, 1001, 5'000'000}) h.observe(v);
  // (-inf,10] (10,100] (100,1000] (1000,+inf): not cumulative.
  CHECK(counts(h) == std::vector<std::uint64_t>{2, 2, 3, 2});
  CHECK(h.count() == 9);
  CHECK(h.sum() == 0 + 10 + 11 + 100 + 101 + 999 + 1000 + 1001 + 5'000'000);
  CHECK(std::vector<std::uint64_t>(h.bounds().begin(), h.bounds().end()) == bounds);
}

TEST_CASE("histogram: spans are timed forward, and one that runs backwards counts as zero") {
  Histogram h(Histogram::kMicros);
  h.observe_span(1'000, 1'250);   // 250 µs: the 250 bucket
  h.observe_span(5'000, 4'000);   // backwards: 0, the first bucket
  h.observe_span(0, 20'000'000);  // 20 s: above 10 s, the overflow
  CHECK(h.count() == 3);
  CHECK(h.sum() == 250 + 0 + 20'000'000);
  CHECK(h.counts().front() == 1);
  CHECK(h.counts()[4] == 1);  // bounds 10, 25, 50, 100, 250
  CHECK(h.counts().back() == 1);
  CHECK(h.counts().size() == Histogram::kMicros.size() + 1);
}

TEST_CASE("histogram: the cores' bounds are in range, and entries that commit nothing have a bucket") {
  Histogram per_entry(Histogram::kPerEntry);
  per_entry.observe(0);
  per_entry.observe(64);
  per_entry.observe(65);
  CHECK(per_entry.counts()[0] == 1);                      // le 0
  CHECK(per_entry.counts()[7] == 1);                      // le 64
  CHECK(per_entry.counts()[8] == 1);                      // le 128
  CHECK(per_entry.bounds().back() == 10'000);             // the largest batch a config allows
  CHECK(Histogram::kMicros.size() <= Histogram::kMaxBounds);
  CHECK(Histogram::kPerEntry.size() <= Histogram::kMaxBounds);
}

TEST_CASE("histogram: bounds must rise and fit") {
  const std::vector<std::uint64_t> flat{5, 5}, down{10, 5}, many(Histogram::kMaxBounds + 1, 0);
  CHECK_THROWS_AS(Histogram{flat}, std::logic_error);
  CHECK_THROWS_AS(Histogram{down}, std::logic_error);
  CHECK_THROWS_AS(Histogram{many}, std::logic_error);
  Histogram none;  // no bounds: one bucket for all
  none.observe(7);
  CHECK(counts(none) == std::vector<std::uint64_t>{1});
}

TEST_CASE("histogram: read back from its parts it equals the one observed") {
  Histogram h(Histogram::kPerEntry);
  for (std::uint64_t v : {0, 3, 3, 40, 20'000}) h.observe(v);
  auto back = Histogram::from_parts(h.bounds(), h.counts(), h.sum());
  REQUIRE(back);
  CHECK(*back == h);
  CHECK(back->count() == 5);
  const std::vector<std::uint64_t> bounds{1, 2}, short_counts{1, 1}, down{2, 1}, three{0, 0, 0};
  CHECK_FALSE(Histogram::from_parts(bounds, short_counts, 0));
  CHECK_FALSE(Histogram::from_parts(down, three, 0));
  Histogram other(Histogram::kPerEntry);
  CHECK_FALSE(other == h);
}
