// TraceTime: the log's RFC 3339 times to microseconds and back, window bounds as typed,
// durations for people.
#include "apps/trace/trace_time.hpp"

#include <doctest/doctest.h>

using bank::trace::TraceTime;

TEST_CASE("trace time: the log's ts reads to microseconds and prints back the same") {
  const std::string ts = "2024-05-01T12:00:03.123456Z";
  auto us = TraceTime::parse(ts);
  REQUIRE(us);
  CHECK(*us == 1714564803123456);
  CHECK(TraceTime::format(*us) == ts);
  CHECK(TraceTime::format(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(TraceTime::parse("2000-02-29T23:59:59.999999Z") == 951868799999999);
  CHECK(TraceTime::format(951868799999999) == "2000-02-29T23:59:59.999999Z");
}

TEST_CASE("trace time: other RFC 3339 forms read too, bad ones do not") {
  CHECK(TraceTime::parse("2024-05-01T12:00:03Z") == 1714564803000000);
  CHECK(TraceTime::parse("2024-05-01T14:00:03.5+02:00") == 1714564803500000);
  CHECK(TraceTime::parse("2024-05-01T12:00:03.123456789Z") == 1714564803123456);
  CHECK_FALSE(TraceTime::parse("2024-05-01 12:00"));
  CHECK_FALSE(TraceTime::parse("2024-13-01T12:00:03Z"));
  CHECK_FALSE(TraceTime::parse("2024-05-01T12:00:03"));
  CHECK_FALSE(TraceTime::parse("2024-05-01T12:00:03.Z"));
  CHECK_FALSE(TraceTime::parse("2024-05-01T12:00:03Zjunk"));
  CHECK_FALSE(TraceTime::parse(""));
}

TEST_CASE("trace time: a bound is a time or an offset in seconds or milliseconds") {
  auto t = TraceTime::parse_bound("2024-05-01T12:00:03Z");
  REQUIRE(t);
  CHECK_FALSE(t->offset);
  CHECK(t->at(5) == 1714564803000000);
  auto s = TraceTime::parse_bound("2.5");
  REQUIRE(s);
  CHECK(s->offset);
  CHECK(s->at(1000) == 2501000);
  CHECK(TraceTime::parse_bound("+2.5s")->us == 2500000);
  CHECK(TraceTime::parse_bound("300ms")->us == 300000);
  CHECK(TraceTime::parse_bound("0.0005")->us == 500);
  CHECK_FALSE(TraceTime::parse_bound("soon"));
  CHECK_FALSE(TraceTime::parse_bound("2.5x"));
  CHECK_FALSE(TraceTime::parse_bound("-3"));
  CHECK_FALSE(TraceTime::parse_bound("ms"));
}

TEST_CASE("trace time: durations read well at every scale") {
  CHECK(TraceTime::duration(350) == "350 us");
  CHECK(TraceTime::duration(1234) == "1.23 ms");
  CHECK(TraceTime::duration(12345) == "12.3 ms");
  CHECK(TraceTime::duration(999400) == "999 ms");
  CHECK(TraceTime::duration(1204000) == "1.204 s");
  CHECK(TraceTime::duration(182000000) == "3 min 2 s");
  CHECK(TraceTime::duration(-2000) == "-2.00 ms");
}

TEST_CASE("trace time: the time axis counts to the microsecond") {
  CHECK(TraceTime::offset(0) == "0.000 ms");
  CHECK(TraceTime::offset(350) == "0.350 ms");
  CHECK(TraceTime::offset(154312) == "154.312 ms");
  CHECK(TraceTime::offset(12345678) == "12.345678 s");
  CHECK(TraceTime::offset(-1500) == "-1.500 ms");
}
