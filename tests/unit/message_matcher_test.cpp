// MessageMatcher: one arrow per message from its first send to its first receipt; resends,
// duplicates and messages with one end only are counted, restarts make new messages.
#include "apps/trace/message_matcher.hpp"

#include <doctest/doctest.h>

#include "trace_script.hpp"

using namespace bank;
using namespace bank::trace;
using bank::trace::unit::TraceScript;

TEST_CASE("message matcher: every request, reply and release of an entry is one arrow") {
  TraceScript s;
  s.entry(0, 1, {2, 3}, 10, 1, "1-1");
  auto events = s.events();
  auto m = MessageMatcher::match(events);
  REQUIRE(m.arrows.size() == 6);
  CHECK(m.unmatched_sends == 0);
  CHECK(m.unmatched_recvs == 0);
  for (const Arrow& a : m.arrows) {
    CHECK(events[a.send].kind == TraceEvent::Kind::send);
    CHECK(events[a.recv].kind == TraceEvent::Kind::recv);
    CHECK(events[a.send].key == events[a.recv].key);
    CHECK(events[a.send].node == events[a.recv].peer);
  }
  CHECK(events[m.arrows[0].send].type == "request");
  CHECK(events[m.arrows[5].send].type == "release");
}

TEST_CASE("message matcher: resends and duplicates are one arrow, from the first send to the first receipt") {
  TraceScript s;
  nlohmann::json msg = {{"type", "request"}, {"from", 1}, {"lamport", 5}, {"inc", 7}, {"to_inc", 8}, {"seq", 1},
                        {"ack", 0}, {"height", 0}, {"req", {{"ts", 4}, {"node", 1}}}};
  nlohmann::json send = {{"peer", 2}, {"type", "request"}, {"msg", msg}};
  nlohmann::json recv = {{"peer", 1}, {"type", "request"}, {"msg", msg}};
  s.line(0, 1, 5, "send", send);
  s.line(200, 1, 5, "send", send);  // resent after 200 ms without an ack
  s.line(250, 2, 6, "recv", recv);
  s.line(260, 2, 6, "recv", recv);  // and the first copy came late
  auto events = s.events();
  auto m = MessageMatcher::match(events);
  REQUIRE(m.arrows.size() == 1);
  CHECK(events[m.arrows[0].send].ts_us == TraceScript::kStart);
  CHECK(events[m.arrows[0].recv].ts_us == TraceScript::kStart + 250);
  CHECK(m.arrows[0].sends == 2);
  CHECK(m.arrows[0].recvs == 2);
  CHECK(m.resends == 1);
  CHECK(m.duplicates == 1);

  SUBCASE("the same seq to a restarted receiver is another message") {
    msg["to_inc"] = 9;
    s.line(300, 1, 5, "send", {{"peer", 2}, {"type", "request"}, {"msg", msg}});
    auto again = MessageMatcher::match(s.events());
    CHECK(again.arrows.size() == 1);
    CHECK(again.unmatched_sends == 1);
  }
}

TEST_CASE("message matcher: a message with one end among the events is counted, not drawn") {
  TraceScript s;
  s.message("request", 1, 2, {4, 1}, 5, 0, -1);  // lost, or the receiver's log was not read
  s.message("reply", 2, 1, {4, 1}, 6, 10, 20);
  auto events = s.events();
  std::erase_if(events, [](const TraceEvent& e) { return e.type == "reply" && e.kind == TraceEvent::Kind::send; });
  auto m = MessageMatcher::match(events);
  CHECK(m.arrows.empty());
  CHECK(m.unmatched_sends == 1);
  CHECK(m.unmatched_recvs == 1);
}
