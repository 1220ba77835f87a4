// EventFeed: what it keeps, how events are numbered, and pages by since and limit (next,
// first), through the wrap of its ring; at its real size too.
#include "runtime/event_feed.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using bank::EventFeed;
using bank::LogOut;
using nlohmann::json;

namespace {

// Pushes `n` events whose "i" field counts on from `from`.
void push(EventFeed& feed, int n, int from = 1) {
  for (int i = from; i < from + n; ++i)
    feed.push("2026-11-29T11:03:18.000000Z", R"(,"node":1,"lamport":)" + std::to_string(i) + R"(,"event":"cs_enter")", "");
}

std::vector<std::uint64_t> seqs(const bank::EventsReply& page) {
  std::vector<std::uint64_t> out;
  for (const auto& e : page.events) out.push_back(json::parse(e).at("seq").get<std::uint64_t>());
  return out;
}

}  // namespace

TEST_CASE("event feed: it keeps the protocol's events and the mutex's messages, nothing else") {
  for (const char* kept : {"cs_enter", "cs_exit", "commit", "abort", "peer_up", "peer_down"})
    CHECK_MESSAGE(EventFeed::keeps(LogOut{kept, 0, {}}), kept);
  for (const char* dropped : {"error", "start", "repair", "warning", "diverged"})
    CHECK_FALSE_MESSAGE(EventFeed::keeps(LogOut{dropped, 0, {}}), dropped);
  // send/recv: only when the network marked it (request, reply, release).
  LogOut send{"send", 3, {}};
  CHECK_FALSE(EventFeed::keeps(send));
  send.feed = true;
  CHECK(EventFeed::keeps(send));
  LogOut recv{"recv", 3, {}};
  recv.feed = true;
  CHECK(EventFeed::keeps(recv));
}

TEST_CASE("event feed: an event is its log line's text with seq last") {
  EventFeed feed;
  feed.push("2026-11-29T11:03:18.872844Z", R"(,"node":1,"lamport":9,"event":"send","peer":2,"type":"release")",
            R"({"blocks":3,"from":1,"seq":2,"type":"release"})");
  feed.push("2026-11-29T11:03:18.872850Z", R"(,"node":1,"lamport":9,"event":"cs_exit","req":{"node":1,"ts":3})", "");
  auto page = feed.read(0, 10);
  REQUIRE(page.events.size() == 2);
  CHECK(page.events[0] ==
        R"({"ts":"2026-11-29T11:03:18.872844Z","node":1,"lamport":9,"event":"send","peer":2,"type":"release","msg":{"blocks":3,"from":1,"seq":2,"type":"release"},"seq":1})");
  CHECK(page.events[1] ==
        R"({"ts":"2026-11-29T11:03:18.872850Z","node":1,"lamport":9,"event":"cs_exit","req":{"node":1,"ts":3},"seq":2})");
  CHECK(feed.newest() == 2);
}

TEST_CASE("event feed: since, limit, next and first page through what it keeps") {
  EventFeed feed(8);
  SUBCASE("empty: nothing, next is since, first is 1") {
    auto page = feed.read(0, 100);
    CHECK(page.events.empty());
    CHECK(page.next == 0);
    CHECK(page.first == 1);
    CHECK(feed.read(5, 100).next == 5);
  }
  SUBCASE("from the oldest, a page at a time") {
    push(feed, 5);
    auto page = feed.read(0, 2);
    CHECK(seqs(page) == std::vector<std::uint64_t>{1, 2});
    CHECK(page.next == 2);
    CHECK(page.first == 1);
    page = feed.read(page.next, 2);
    CHECK(seqs(page) == std::vector<std::uint64_t>{3, 4});
    page = feed.read(page.next, 2);
    CHECK(seqs(page) == std::vector<std::uint64_t>{5});
    CHECK(page.next == 5);
    page = feed.read(page.next, 2);  // caught up: nothing, and next stays
    CHECK(page.events.empty());
    CHECK(page.next == 5);
    push(feed, 1, 6);  // a new one arrives
    page = feed.read(page.next, 2);
    CHECK(seqs(page) == std::vector<std::uint64_t>{6});
  }
  SUBCASE("a limit above what there is gives what there is") {
    push(feed, 3);
    CHECK(seqs(feed.read(0, 1000)) == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(seqs(feed.read(1, UINT64_MAX)) == std::vector<std::uint64_t>{2, 3});
  }
  SUBCASE("since beyond the newest (a follower of an earlier start): nothing, next is since") {
    push(feed, 3);
    auto page = feed.read(UINT64_MAX, 10);
    CHECK(page.events.empty());
    CHECK(page.next == UINT64_MAX);
    CHECK(page.first == 1);
  }
}

TEST_CASE("event feed: past its capacity the oldest go, first says so, and numbers run on") {
  EventFeed feed(8);
  push(feed, 20);  // the ring wrapped twice and a half: 13..20 are kept
  auto page = feed.read(0, 100);
  CHECK(page.first == 13);
  CHECK(seqs(page) == std::vector<std::uint64_t>{13, 14, 15, 16, 17, 18, 19, 20});
  CHECK(page.next == 20);
  // Each slot holds the event it was last given (its lamport is its number).
  for (const auto& e : page.events) CHECK(json::parse(e)["lamport"] == json::parse(e)["seq"]);
  // A follower that stopped at 5 missed 6..12: it starts again at 13 and can tell (5 < first - 1).
  page = feed.read(5, 3);
  CHECK(seqs(page) == std::vector<std::uint64_t>{13, 14, 15});
  CHECK(page.first == 13);
  // One that stopped at 12 missed nothing.
  CHECK(seqs(feed.read(12, 1)) == std::vector<std::uint64_t>{13});
  CHECK(seqs(feed.read(18, 10)) == std::vector<std::uint64_t>{19, 20});
}

TEST_CASE("event feed: the real ring keeps the newest 65,536 and never more") {
  EventFeed feed;
  const int n = static_cast<int>(EventFeed::kCapacity) + 1000;
  push(feed, n);
  auto page = feed.read(0, bank::max_events_page);
  CHECK(page.first == 1001);
  CHECK(page.events.size() == bank::max_events_page);
  CHECK(seqs(page).front() == 1001);
  CHECK(page.next == 2000);
  auto last = feed.read(static_cast<std::uint64_t>(n) - 3, bank::max_events_page);
  CHECK(seqs(last) == std::vector<std::uint64_t>{static_cast<std::uint64_t>(n) - 2, static_cast<std::uint64_t>(n) - 1,
                                                 static_cast<std::uint64_t>(n)});
}

TEST_CASE("event feed: a full ring costs about what its events take, not twice that") {
  EventFeed feed(64);
  const std::string fields(260, 'x');  // an event of some 300 bytes, like a request's send
  for (int i = 0; i < 1000; ++i)
    feed.push("2026-11-29T11:03:18.000000Z", R"(,"node":1,"event":")" + fields.substr(0, 200 + i % 60) + "\"", "");
  const auto page = feed.read(0, 64);
  std::size_t texts = 0;
  for (const auto& e : page.events) texts += e.size();
  CHECK(feed.held_bytes() >= texts);
  CHECK(feed.held_bytes() < texts + 64 * 100);  // each slot within a few dozen bytes of its event
}

TEST_CASE("event feed: a slot does not keep the size of the largest event it once held") {
  EventFeed feed(64);
  const std::string big(3000, 'x');
  const std::string small(200, 'y');
  const std::string ts = "2026-11-29T11:03:18.000000Z";
  for (int i = 0; i < 64; ++i) feed.push(ts, R"(,"node":1,"event":")" + big + "\"", "");
  const auto full = feed.held_bytes();
  CHECK(full >= 64 * 3000);
  // Then small events only, once round the ring: what it holds follows them down.
  for (int i = 0; i < 64; ++i) feed.push(ts, R"(,"node":1,"event":")" + small + "\"", "");
  std::size_t texts = 0;
  for (const auto& e : feed.read(0, 64).events) texts += e.size();
  CHECK(texts < 64 * 300);
  CHECK(feed.held_bytes() >= texts);
  CHECK(feed.held_bytes() <= 2 * texts);
}
