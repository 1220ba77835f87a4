// log_line: the text bank-sim writes for a simulated node's log is, byte for byte, what
// LogSink writes for a real node's (but the timestamp), so bank-trace reads both alike.
#include "messages/log_line.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "runtime/log_sink.hpp"

using namespace bank;

namespace {

// What LogSink writes for `e`, with the timestamp it took replaced by `ts`.
std::string sink_line(const LogOut& e, NodeId node, const std::string& ts) {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    LogSink sink(f, node);
    sink.write(e);
  }
  std::rewind(f);
  std::string text;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) text += static_cast<char>(c);
  std::fclose(f);
  const std::string head = "{\"ts\":\"";
  REQUIRE(text.rfind(head, 0) == 0);
  const auto end = text.find('"', head.size());
  REQUIRE(end != std::string::npos);
  return head + ts + text.substr(end);
}

}  // namespace

TEST_CASE("log line: the same bytes as LogSink for fields, members and messages") {
  const std::string ts = "1970-01-01T00:00:00.123456Z";
  const std::string frame = R"({"from":1,"lamport":7,"req":{"node":1,"ts":6},"seq":3,"type":"request"})";
  for (const LogOut& e : {
           LogOut{"start", 0, {{"incarnation", 17}, {"height", 4}}},
           LogOut{"cs_enter", 9, {{"req", {{"ts", 6}, {"node", 1}}}}},
           LogOut{.event = "send", .lamport = 7, .fields = {}, .msg = frame, .members = R"("peer":2,"type":"request")"},
           LogOut{.event = "commit", .lamport = 0, .fields = {},
                  .msg = {}, .members = R"("amount":400,"from":1,"index":4,"to":2,"txid":"1-4")"},
           LogOut{"error", 0, {{"error", "a \"quoted\"\nsentence \xff"}}},
           LogOut{"peer_down", 3, {}},
       }) {
    CAPTURE(e.event);
    const std::string line = log_line(e, 5, ts);
    CHECK(line == sink_line(e, 5, ts));
    CHECK(line.back() == '\n');
    CHECK_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded());
  }
}

TEST_CASE("log sink: timestamps are RFC 3339 UTC with microseconds, within a second and across seconds") {
  // 2026-11-29T22:34:03Z is 1795991643 s after the epoch.
  CHECK(LogSink::rfc3339(1'795'991'643'000'000) == "2026-11-29T22:34:03.000000Z");
  CHECK(LogSink::rfc3339(1'795'991'643'000'007) == "2026-11-29T22:34:03.000007Z");
  CHECK(LogSink::rfc3339(1'795'991'643'999'999) == "2026-11-29T22:34:03.999999Z");
  CHECK(LogSink::rfc3339(1'795'991'644'120'000) == "2026-11-29T22:34:04.120000Z");
  CHECK(LogSink::rfc3339(1'795'991'643'500'000) == "2026-11-29T22:34:03.500000Z");  // back a second
  CHECK(LogSink::rfc3339(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(LogSink::rfc3339(951'782'400'000'001) == "2000-02-29T00:00:00.000001Z");
}
