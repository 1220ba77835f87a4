// RateHistory: transfers per second from the counters' deltas summed over the nodes, a
// restarted node's fall read as counts since its start, the wait's quantiles from the
// buckets' deltas (linear inside a bucket), and the history's reach.
#include "apps/live/rate_history.hpp"

#include <doctest/doctest.h>

using namespace bank;
using namespace bank::live;

namespace {

RateHistory::NodeCounts counts(std::uint64_t committed, std::vector<std::uint64_t> waits) {
  return {committed, {1000, 2000, 4000}, std::move(waits)};
}

}  // namespace

TEST_CASE("rate history: quantiles inside their bucket, the last bound for the overflow, none when empty") {
  const std::vector<std::uint64_t> bounds{1000, 2000, 4000};
  CHECK(RateHistory::quantile_ms(0.5, bounds, {0, 0, 0, 0}) == std::nullopt);
  CHECK(*RateHistory::quantile_ms(0.5, bounds, {0, 2, 0, 0}) == doctest::Approx(1.5));
  CHECK(*RateHistory::quantile_ms(0.5, bounds, {2, 0, 0, 0}) == doctest::Approx(0.5));
  CHECK(*RateHistory::quantile_ms(0.99, bounds, {99, 0, 0, 1}) == doctest::Approx(1.0));
  CHECK(*RateHistory::quantile_ms(1.0, bounds, {0, 0, 0, 3}) == doctest::Approx(4.0));
}

TEST_CASE("rate history: transfers per second summed over nodes, a first sample adding nothing") {
  RateHistory h;
  h.add(0, {{1, counts(100, {5, 0, 0, 0})}, {2, counts(50, {0, 0, 0, 0})}});
  CHECK(h.points().empty());  // what came before the watch is not a rate
  h.add(1000, {{1, counts(110, {5, 4, 0, 0})}, {2, counts(60, {0, 0, 0, 0})}});
  REQUIRE(h.points().size() == 1);
  CHECK(h.points()[0].tps == doctest::Approx(20.0));
  CHECK(*h.points()[0].p50_ms == doctest::Approx(1.5));
  CHECK(h.points()[0].entries == 4);
  h.add(2000, {{1, counts(110, {5, 4, 0, 0})}, {2, counts(60, {0, 0, 0, 0})}});
  CHECK(h.points()[1].tps == 0);
  CHECK(h.points()[1].p50_ms == std::nullopt);
  auto over = h.over(10'000);
  CHECK(over.tps == doctest::Approx(10.0));  // 20 transfers over 2 s
  CHECK(over.entries == 4);
}

TEST_CASE("rate history: a restarted node counts from its new start, a node that comes later from its first sample") {
  RateHistory h;
  h.add(0, {{1, counts(100, {0, 0, 0, 0})}});
  h.add(1000, {{1, counts(3, {0, 0, 1, 0})}, {2, counts(500, {9, 0, 0, 0})}});
  REQUIRE(h.points().size() == 1);
  CHECK(h.points()[0].tps == doctest::Approx(3.0));
  CHECK(h.points()[0].entries == 1);
  h.add(2000, {{1, counts(3, {0, 0, 1, 0})}, {2, counts(502, {9, 0, 0, 0})}});
  CHECK(h.points()[1].tps == doctest::Approx(2.0));
}

TEST_CASE("rate history: keeps five minutes") {
  RateHistory h;
  for (std::int64_t t = 0; t <= 10 * 60 * 1000; t += 1000) h.add(t, {{1, counts(static_cast<std::uint64_t>(t / 1000), {0, 0, 0, 0})}});
  CHECK(h.points().size() <= RateHistory::kKeepMs / 1000 + 1);
  CHECK(h.points().front().t_ms >= 10 * 60 * 1000 - RateHistory::kKeepMs);
  CHECK(h.over(60'000).tps == doctest::Approx(1.0));
}

TEST_CASE("rate history: counts read from a metrics object, none from one without them") {
  auto m = nlohmann::json::parse(R"({"counters":{"transfers_committed":4},"histograms":{"cs_wait_us":{"bounds":[10],"counts":[1,2],"sum":5,"count":3}}})");
  auto c = RateHistory::counts_of(m);
  REQUIRE(c);
  CHECK(c->committed == 4);
  CHECK(c->counts == std::vector<std::uint64_t>{1, 2});
  CHECK(!RateHistory::counts_of(nlohmann::json::parse(R"({"counters":{}})")));
  CHECK(!RateHistory::counts_of(nlohmann::json::parse(R"({"counters":{"transfers_committed":4},"histograms":{"cs_wait_us":{"bounds":[10],"counts":[1]}}})")));
}
