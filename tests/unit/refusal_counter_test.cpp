// RefusalCounter: the first refusal logged at once, a flood at most once an interval with
// its count, and what is left over logged when its interval is up.
#include "runtime/refusal_counter.hpp"

#include <doctest/doctest.h>

using bank::RefusalCounter;

TEST_CASE("refusal counter: the first at once, then one line a second with the count, none lost") {
  RefusalCounter c(1000);
  CHECK_FALSE(c.due(0));  // nothing refused: nothing to say
  auto first = c.add(5000, "a");
  REQUIRE(first);
  CHECK(first->count == 1);
  CHECK(first->latest == "a");
  for (int i = 0; i < 499; ++i) CHECK_FALSE(c.add(5000 + i, "b" + std::to_string(i)));
  CHECK_FALSE(c.due(5999));
  auto second = c.due(6000);
  REQUIRE(second);
  CHECK(second->count == 499);
  CHECK(second->latest == "b498");
  CHECK_FALSE(c.due(9000));  // nothing since
  // Quiet for a second: the next is logged at once again.
  auto third = c.add(9000, "c");
  REQUIRE(third);
  CHECK(third->count == 1);
  // The flood goes on past an interval: a line per interval, each with its own count.
  CHECK_FALSE(c.add(9500, "d"));
  auto fourth = c.add(10000, "e");
  REQUIRE(fourth);
  CHECK(fourth->count == 2);
}

TEST_CASE("refusal counter: at stop, what is counted and not logged yet comes out at once, once") {
  RefusalCounter c(1000);
  CHECK_FALSE(c.flush());  // nothing refused
  REQUIRE(c.add(5000, "a"));
  CHECK_FALSE(c.add(5100, "b"));
  CHECK_FALSE(c.add(5200, "c"));
  auto left = c.flush();  // within the interval, yet due at stop
  REQUIRE(left);
  CHECK(left->count == 2);
  CHECK(left->latest == "c");
  CHECK_FALSE(c.flush());
  CHECK_FALSE(c.due(9000));
}
