// TraceEvent: log lines (and feed events) to the events bank-trace draws; what it leaves
// out, and clear errors for lines that are not log events.
#include "apps/trace/trace_event.hpp"

#include <doctest/doctest.h>

using namespace bank;
using namespace bank::trace;

TEST_CASE("trace event: a release as bank-node logs it keeps its key, stamp and block count") {
  const std::string line =
      R"({"ts":"2024-05-01T12:00:03.000010Z","node":1,"lamport":20,"event":"send","peer":2,"type":"release",)"
      R"("msg":{"ack":4,"blocks":[{"index":1},{"index":2}],"from":1,"inc":1700,"lamport":20,)"
      R"("req":{"node":1,"ts":12},"seq":5,"to_inc":1800,"type":"release"}})";
  auto e = TraceEvent::parse_line(line);
  REQUIRE(e);
  REQUIRE(*e);
  const TraceEvent& t = **e;
  CHECK(t.kind == TraceEvent::Kind::send);
  CHECK(t.ts_us == 1714564803000010);
  CHECK(t.node == 1);
  CHECK(t.peer == 2);
  CHECK(t.type == "release");
  CHECK(t.key == MessageKey{1, 2, 1700, 1800, 5});
  CHECK(t.msg_lamport == 20);
  CHECK(t.req == Stamp{12, 1});
  CHECK(t.blocks == 2);
  CHECK(t.text.find("\"blocks\":2") != std::string::npos);  // the hover shows the count, not the blocks
}

TEST_CASE("trace event: a receipt's key names the receiver, so both ends match") {
  auto e = TraceEvent::parse_line(
      R"({"ts":"2024-05-01T12:00:03Z","node":2,"lamport":21,"event":"recv","peer":1,"type":"reply",)"
      R"("msg":{"ack":0,"from":1,"height":0,"inc":1700,"lamport":20,"req":{"node":2,"ts":12},"seq":5,"to_inc":1800,"type":"reply"}})");
  REQUIRE(e);
  REQUIRE(*e);
  CHECK((*e)->key == MessageKey{1, 2, 1700, 1800, 5});
}

TEST_CASE("trace event: a feed event (blocks as a count, seq) reads like its log line") {
  auto e = TraceEvent::from_json(nlohmann::json::parse(
      R"({"ts":"2024-05-01T12:00:03Z","node":1,"lamport":20,"event":"send","peer":2,"type":"release","seq":17,)"
      R"("msg":{"ack":4,"blocks":10,"from":1,"inc":1700,"lamport":20,"req":{"node":1,"ts":12},"seq":5,"to_inc":1800,"type":"release"}})"));
  REQUIRE(e);
  REQUIRE(*e);
  CHECK((*e)->blocks == 10);
}

TEST_CASE("trace event: the other kinds keep their fields") {
  auto commit = TraceEvent::parse_line(
      R"({"ts":"2024-05-01T12:00:03Z","node":3,"lamport":0,"event":"commit","index":4,"txid":"1-1","from":1,"to":2,"amount":400})");
  REQUIRE(commit);
  REQUIRE(*commit);
  CHECK((*commit)->kind == TraceEvent::Kind::commit);
  CHECK((*commit)->index == 4);
  CHECK((*commit)->txid == "1-1");
  CHECK((*commit)->amount == 400);
  auto enter = TraceEvent::parse_line(
      R"({"ts":"2024-05-01T12:00:03Z","node":3,"lamport":9,"event":"cs_enter","req":{"node":3,"ts":7}})");
  REQUIRE(enter);
  CHECK((*enter)->req == Stamp{7, 3});
  auto start = TraceEvent::parse_line(
      R"({"ts":"2024-05-01T12:00:03Z","node":3,"lamport":0,"event":"start","incarnation":5,"height":12})");
  REQUIRE(start);
  CHECK((*start)->height == 12);
}

TEST_CASE("trace event: heartbeats, hellos, acks, catch-up and unknown events are left out") {
  const std::string heartbeat =
      R"({"ts":"2024-05-01T12:00:03Z","node":1,"lamport":2,"event":"send","peer":2,"type":"heartbeat","msg":{"type":"heartbeat"}})";
  CHECK(TraceEvent::left_out(heartbeat));
  auto e = TraceEvent::parse_line(heartbeat);
  REQUIRE(e);
  CHECK_FALSE(*e);
  CHECK_FALSE(TraceEvent::left_out(
      R"({"ts":"x","node":1,"lamport":2,"event":"send","peer":2,"type":"request","msg":{"type":"heartbeat"}})"));
  CHECK_FALSE(TraceEvent::left_out(R"({"ts":"x","node":1,"lamport":2,"event":"commit","txid":"\"type\":\"ack\""})"));
  auto warning = TraceEvent::parse_line(R"({"ts":"2024-05-01T12:00:03Z","node":1,"lamport":0,"event":"warning","warning":"x"})");
  REQUIRE(warning);
  CHECK_FALSE(*warning);
}

TEST_CASE("trace event: lines that are not log events say what is wrong") {
  auto check_error = [](const std::string& line, const std::string& id, const std::string& message) {
    auto e = TraceEvent::parse_line(line);
    REQUIRE_FALSE(e);
    CHECK(e.error().id == id);
    CHECK(e.error().message == message);
  };
  check_error("{\"ts\":", "trace.not_json", "not a line of JSON");
  check_error("[1,2]", "trace.bad_event", "not a JSON object");
  check_error(R"({"node":1,"lamport":0,"event":"x"})", "trace.bad_event", "the event has no \"ts\"");
  check_error(R"({"ts":"yesterday","node":1,"lamport":0,"event":"x"})", "trace.bad_event",
              "\"ts\" is not an RFC 3339 time: yesterday");
  check_error(R"({"ts":"2024-05-01T12:00:03Z","node":-1,"lamport":0,"event":"x"})", "trace.bad_event",
              "the event's \"node\" is not a non-negative integer");
  check_error(R"({"ts":"2024-05-01T12:00:03Z","node":1,"lamport":0,"event":"cs_enter"})", "trace.bad_event",
              "a cs_enter has no \"req\" object");
  check_error(R"({"ts":"2024-05-01T12:00:03Z","node":1,"lamport":0,"event":"send","peer":2,"type":"reply","msg":{"from":1}})",
              "trace.bad_event", "a send's msg has no \"inc\"");
}
