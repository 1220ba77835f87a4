// CatchUp: whom the ledger asks for blocks, when a hint becomes a reason to ask, and
// when a held grant may go on.
#include <doctest/doctest.h>

#include "actors/ledger/catch_up.hpp"

using bank::CatchUp;
using bank::PeerHeight;

TEST_CASE("catch-up: a heard height is asked for from our next index, once, from the highest peer") {
  CatchUp c;
  CHECK_FALSE(c.behind(4));
  c.heard(PeerHeight{.peer = 2, .height = 6});
  c.heard(PeerHeight{.peer = 3, .height = 9});
  REQUIRE(c.behind(4));
  auto ask = c.next_ask(4);
  REQUIRE(ask);
  CHECK(ask->peer == 3);
  CHECK(ask->from == 5);
  CHECK_FALSE(c.next_ask(4));  // that answer is on its way
  CHECK(c.answered(3, 5, 9));
  auto again = c.next_ask(7);  // the answer went up to 7; 3 still holds 9
  REQUIRE(again);
  CHECK(again->peer == 3);
  CHECK(again->from == 8);
}

TEST_CASE("catch-up: a hint is asked for only when it is still ahead after a full tick") {
  CatchUp c;
  c.hint(2, 8, 5);
  CHECK(c.hinted_ahead(5));
  CHECK_FALSE(c.behind(5));
  c.promote(5);  // the tick after the hint: now due, not yet a height
  CHECK_FALSE(c.behind(5));
  c.promote(5);  // a full tick later and still ahead: fetch it
  CHECK(c.behind(5));
  CHECK_FALSE(c.hinted_ahead(5));

  CatchUp d;
  d.hint(2, 8, 5);
  d.promote(5);
  d.promote(8);  // the release came in time: nothing to fetch
  CHECK_FALSE(d.behind(8));
  d.hint(2, 3, 5);  // a hint at or below our height is no hint
  CHECK_FALSE(d.hinted_ahead(5));
}

TEST_CASE("catch-up: a restarted peer's height replaces the old one and forgets our ask and its hints") {
  CatchUp c;
  c.heard(PeerHeight{.peer = 2, .height = 9});
  REQUIRE(c.next_ask(4));
  c.hint(2, 12, 4);
  c.heard(PeerHeight{.peer = 2, .height = 6, .restarted = true});
  CHECK_FALSE(c.hinted_ahead(4));
  auto ask = c.next_ask(4);  // asked again: the new incarnation never saw the first ask
  REQUIRE(ask);
  CHECK(ask->from == 5);
  c.heard(PeerHeight{.peer = 2, .height = 3});  // a lower height from the same incarnation is ignored
  CHECK(c.behind(5));
}

TEST_CASE("catch-up: a stale answer neither ends the newer ask nor judges the peer") {
  CatchUp c;
  c.heard(PeerHeight{.peer = 2, .height = 20});
  REQUIRE(c.next_ask(4));  // from 5
  c.heard(PeerHeight{.peer = 2, .height = 20, .restarted = true});
  REQUIRE(c.next_ask(9));  // from 10
  CHECK_FALSE(c.answered(2, 5, 20));  // the first ask's answer
  CHECK_FALSE(c.next_ask(9));         // the newer ask still stands
  CHECK(c.answered(2, 10, 20));
}

TEST_CASE("catch-up: a peer that cannot help is given up at the height we reached, with its hints") {
  CatchUp c;
  c.heard(PeerHeight{.peer = 2, .height = 9});
  REQUIRE(c.next_ask(4));
  c.hint(2, 9, 4);
  CHECK(c.answered(2, std::nullopt, 9));
  c.give_up(2, 4);
  CHECK_FALSE(c.behind(4));
  CHECK_FALSE(c.hinted_ahead(4));
}

TEST_CASE("catch-up: an answer is solicited only by an open ask to that peer from that index, once per ask") {
  CatchUp c;
  CHECK_FALSE(c.solicited(2, 1));  // nothing asked yet
  c.heard(PeerHeight{.peer = 2, .height = 9});
  REQUIRE(c.next_ask(4));  // node 2 from 5
  CHECK_FALSE(c.solicited(3, 5));
  CHECK_FALSE(c.solicited(2, 4));
  CHECK(c.solicited(2, 5));
  CHECK_FALSE(c.solicited(2, 5));  // taken

  // Asked twice (the peer restarted meanwhile): two answers may come.
  c.heard(PeerHeight{.peer = 2, .height = 9, .restarted = true});
  REQUIRE(c.next_ask(4));
  c.heard(PeerHeight{.peer = 2, .height = 9, .restarted = true});
  REQUIRE(c.next_ask(4));
  CHECK(c.solicited(2, 5));
  CHECK(c.solicited(2, 5));
  CHECK_FALSE(c.solicited(2, 5));
}
