// FeedCursor: the events request, pages taken in order, events the node dropped counted, a
// refusal or a bad reply an error that leaves the cursor where it was.
#include "apps/trace/feed_cursor.hpp"

#include <doctest/doctest.h>

using namespace bank;
using namespace bank::trace;

namespace {

std::string event(std::uint64_t seq, const std::string& name = "cs_enter") {
  return R"({"ts":"2024-05-01T12:00:03Z","node":2,"lamport":9,"event":")" + name +
         R"(","req":{"node":2,"ts":7},"seq":)" + std::to_string(seq) + "}";
}

std::string reply(const std::vector<std::string>& events, std::uint64_t next, std::uint64_t first) {
  std::string list;
  for (const auto& e : events) list += (list.empty() ? "" : ",") + e;
  return R"({"ok":true,"events":[)" + list + R"(],"next":)" + std::to_string(next) + R"(,"first":)" +
         std::to_string(first) + "}";
}

}  // namespace

TEST_CASE("feed cursor: asks from the oldest kept, then after the last event taken") {
  FeedCursor c(2, 5);
  CHECK(c.request() == R"({"cmd":"events","limit":1000,"since":0})");
  auto page = c.take(reply({event(1), event(2, "cs_exit")}, 2, 1));
  REQUIRE(page);
  REQUIRE(page->events.size() == 2);
  CHECK(page->events[0].where == "node 2 event 1");
  CHECK(page->events[0].order == 1);
  CHECK(page->events[0].source == 5);
  CHECK(page->events[1].kind == TraceEvent::Kind::cs_exit);
  CHECK_FALSE(page->full);
  CHECK(page->missed == 0);
  CHECK(c.since() == 2);
  CHECK(c.request() == R"({"cmd":"events","limit":1000,"since":2})");
  auto empty = c.take(reply({}, 2, 1));
  REQUIRE(empty);
  CHECK(empty->events.empty());
  CHECK(c.since() == 2);
  CHECK(c.first_kept() == 1);
}

TEST_CASE("feed cursor: events dropped from the node's ring before they were read are counted") {
  FeedCursor c(2, 0);
  REQUIRE(c.take(reply({event(1)}, 1, 1)));
  auto page = c.take(reply({event(70000)}, 70000, 4465));
  REQUIRE(page);
  CHECK(page->missed == 4463);
  CHECK(c.missed() == 4463);
}

TEST_CASE("feed cursor: a history already trimmed at the first ask is no loss") {
  FeedCursor c(2, 0);
  auto page = c.take(reply({event(300)}, 300, 300));
  REQUIRE(page);
  CHECK(page->missed == 0);
  CHECK(c.first_kept() == 300);
}

TEST_CASE("feed cursor: a full page says more may wait") {
  FeedCursor c(2, 0);
  std::vector<std::string> many;
  for (std::uint64_t s = 1; s <= FeedCursor::kLimit; ++s) many.push_back(event(s));
  auto page = c.take(reply(many, FeedCursor::kLimit, 1));
  REQUIRE(page);
  CHECK(page->full);
}

TEST_CASE("feed cursor: a refusal or a bad reply is an error and moves nothing") {
  FeedCursor c(2, 0);
  auto refused = c.take(R"({"ok":false,"status":"rejected","error":"unknown cmd \"events\""})");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().id == "trace.feed_refused");
  CHECK(refused.error().message == "node 2 refused the events command: rejected: unknown cmd \"events\"");
  for (const char* bad : {"not json", R"({"ok":true,"events":[]})", R"({"ok":true,"events":{},"next":1,"first":1})"}) {
    auto r = c.take(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().id == "trace.bad_reply");
  }
  auto no_seq = c.take(reply({R"({"ts":"2024-05-01T12:00:03Z","node":2,"lamport":9,"event":"peer_up","peer":1})"}, 1, 1));
  REQUIRE_FALSE(no_seq);
  CHECK(no_seq.error().message == "node 2 sent an event without \"seq\"");
  CHECK(c.since() == 0);
}
