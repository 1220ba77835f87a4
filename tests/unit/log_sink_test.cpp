// LogSink: one JSON object per line, the common fields of docs/file-formats.md#structured-log first, a message's JSON text kept verbatim.
#include "runtime/log_sink.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <regex>
#include <string>
#include <vector>

using namespace bank;

namespace {

// Every line of `f`, which it closes.
std::vector<std::string> read_lines(std::FILE* f);

std::vector<std::string> lines_written(const std::vector<LogOut>& events, LogDetail detail = LogDetail::protocol) {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    LogSink sink(f, 3, detail);
    for (const auto& e : events) sink.write(e);
  }
  return read_lines(f);
}

std::vector<std::string> read_lines(std::FILE* f) {
  std::rewind(f);
  std::vector<std::string> lines;
  std::string line;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line += static_cast<char>(c);
    }
  }
  CHECK(line.empty());  // every line ends with its newline
  std::fclose(f);
  return lines;
}

}  // namespace

TEST_CASE("log sink: each event is one line of JSON with ts, node, lamport, event and its fields") {
  const std::string frame = R"({"from":1,"lamport":7,"type":"request"})";
  auto lines = lines_written({
      LogOut{"commit", 9, {{"index", 4}, {"txid", "1-4"}, {"amount", 400}}},
      LogOut{.event = "send", .lamport = 7, .fields = {{"type", "request"}, {"peer", 2}}, .msg = frame, .members = {}},
      LogOut{"error", 0, {{"error", "a \"quoted\"\nsentence \xff"}}},
  });
  REQUIRE(lines.size() == 3);
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  std::string previous_ts;
  for (const auto& line : lines) {
    CAPTURE(line);
    auto j = nlohmann::json::parse(line);
    CHECK(std::regex_match(j["ts"].get<std::string>(), rfc3339));
    CHECK(j["ts"].get<std::string>() >= previous_ts);
    previous_ts = j["ts"];
    CHECK(j["node"] == 3);
    CHECK(line.rfind(R"({"ts":")", 0) == 0);  // the common fields lead, for people reading
  }
  auto commit = nlohmann::json::parse(lines[0]);
  CHECK(commit["event"] == "commit");
  CHECK(commit["lamport"] == 9);
  CHECK(commit["index"] == 4);
  CHECK(commit["txid"] == "1-4");
  CHECK(commit["amount"] == 400);
  CHECK_FALSE(commit.contains("msg"));

  auto send = nlohmann::json::parse(lines[1]);
  CHECK(send["event"] == "send");
  CHECK(send["peer"] == 2);
  CHECK(send["type"] == "request");
  CHECK(send["msg"] == nlohmann::json::parse(frame));
  CHECK(lines[1].find("\"msg\":" + frame) != std::string::npos);  // verbatim

  // Bytes that are not UTF-8 are replaced, quotes and newlines escaped: still one line.
  auto error = nlohmann::json::parse(lines[2]);
  CHECK(error["error"].get<std::string>().find("a \"quoted\"\nsentence") == 0);
}

TEST_CASE("log sink: fields given as members text print the line that the same fields as JSON print") {
  const std::string frame = R"({"from":1,"lamport":7,"type":"release"})";
  auto lines = lines_written({
      LogOut{"commit", 9, {{"index", 4}, {"txid", "1-\"4"}, {"from", 1}, {"to", 2}, {"amount", 400}}},
      LogOut{.event = "commit", .lamport = 9, .fields = {}, .msg = {}, .members = R"("amount":400,"from":1,"index":4,"to":2,"txid":"1-\"4")"},
      LogOut{.event = "recv", .lamport = 7, .fields = {{"type", "release"}, {"peer", 2}}, .msg = frame, .members = {}},
      LogOut{.event = "recv", .lamport = 7, .fields = {}, .msg = frame, .members = R"("peer":2,"type":"release")"},
  });
  REQUIRE(lines.size() == 4);
  auto without_ts = [](const std::string& line) { return line.substr(line.find("\"node\"")); };
  CHECK(without_ts(lines[0]) == without_ts(lines[1]));
  CHECK(without_ts(lines[2]) == without_ts(lines[3]));
}

TEST_CASE("log sink: lines reach the file at flush, all of them, in order") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  LogSink sink(f, 1);
  auto size = [&] {
    std::fseek(f, 0, SEEK_END);
    return std::ftell(f);
  };
  sink.write(LogOut{"peer_up", 1, {{"peer", 2}}});
  sink.write(LogOut{"peer_up", 2, {{"peer", 3}}});
  CHECK(size() == 0);  // one write per step, not per line
  sink.flush();
  const long two_lines = size();
  CHECK(two_lines > 0);
  sink.flush();  // nothing new: nothing written
  CHECK(size() == two_lines);

  // A step that logs a great deal writes as it goes rather than holding it all.
  const std::string big(10'000, 'x');
  for (int i = 0; i < 20; ++i) sink.write(LogOut{"error", 3, {{"error", big}}});
  CHECK(size() > two_lines);
  sink.flush();
  std::rewind(f);
  int lines = 0;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) lines += c == '\n';
  CHECK(lines == 22);
  std::fclose(f);
}

namespace {
std::vector<std::string> events_of(const std::vector<std::string>& lines) {
  std::vector<std::string> names;
  for (const auto& l : lines) {
    auto j = nlohmann::json::parse(l);
    names.push_back(j["event"].get<std::string>() + (j.contains("type") ? ":" + j["type"].get<std::string>() : ""));
  }
  return names;
}
}  // namespace

TEST_CASE("log sink: the log setting leaves out link upkeep (protocol, the default) or every peer message (none), never the other events") {
  auto peer = [](const char* event, const char* type, bool upkeep) {
    return LogOut{.event = event, .lamport = 1, .fields = {}, .msg = R"({"seq":1})",
                  .members = std::string(R"("peer":2,"type":")") + type + "\"", .upkeep = upkeep};
  };
  const std::vector<LogOut> events{peer("send", "heartbeat", true), peer("recv", "ack", true),
                                   peer("send", "request", false),  peer("recv", "release", false),
                                   LogOut{"cs_enter", 2, {{"req", {{"ts", 1}, {"node", 3}}}}},
                                   LogOut{"peer_down", 2, {{"peer", 2}}}};
  using V = std::vector<std::string>;
  CHECK(events_of(lines_written(events, LogDetail::all)) ==
        V{"send:heartbeat", "recv:ack", "send:request", "recv:release", "cs_enter", "peer_down"});
  CHECK(events_of(lines_written(events)) == V{"send:request", "recv:release", "cs_enter", "peer_down"});
  CHECK(events_of(lines_written(events, LogDetail::none)) == V{"cs_enter", "peer_down"});
}

TEST_CASE("log sink: after replace (log rotation) buffered lines are in the old file and later ones in the new") {
  std::FILE* old_file = std::tmpfile();
  std::FILE* new_file = std::tmpfile();
  REQUIRE(old_file);
  REQUIRE(new_file);
  {
    LogSink sink(old_file, 1);
    sink.write(LogOut{"commit", 1, {{"index", 1}}});  // buffered, not yet written out
    CHECK(sink.replace(new_file) == old_file);
    sink.write(LogOut{"commit", 2, {{"index", 2}}});
  }
  auto before = read_lines(old_file);
  auto after = read_lines(new_file);
  REQUIRE(before.size() == 1);
  REQUIRE(after.size() == 1);
  CHECK(nlohmann::json::parse(before[0])["index"] == 1);
  CHECK(nlohmann::json::parse(after[0])["index"] == 2);
}

TEST_CASE("log sink: the event feed gets the lines it keeps, each as its log line with seq, a release briefer") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  EventFeed feed;
  LogSink sink(f, 2, LogDetail::all, &feed);
  const std::string request = R"({"ack":0,"from":1,"height":0,"inc":5,"lamport":4,"req":{"node":1,"ts":3},"seq":1,"to_inc":6,"type":"request"})";
  const std::string release = R"({"ack":1,"blocks":[{"index":1}],"from":2,"inc":6,"lamport":9,"req":{"node":2,"ts":7},"seq":2,"to_inc":5,"type":"release"})";
  const std::string brief = R"({"ack":1,"blocks":1,"from":2,"inc":6,"lamport":9,"req":{"node":2,"ts":7},"seq":2,"to_inc":5,"type":"release"})";
  sink.write(LogOut{.event = "recv", .lamport = 4, .fields = {}, .msg = request, .members = R"("peer":1,"type":"request")",
                    .feed = true, .brief = {}});
  sink.write(LogOut{.event = "send", .lamport = 5, .fields = {}, .msg = "{\"type\":\"heartbeat\"}",
                    .members = R"("peer":1,"type":"heartbeat")", .upkeep = true, .feed = false, .brief = {}});
  sink.write(LogOut{"cs_enter", 8, {{"req", {{"node", 2}, {"ts", 7}}}}});
  sink.write(LogOut{"error", 8, {{"error", "not in the feed"}}});
  sink.write(LogOut{.event = "send", .lamport = 9, .fields = {}, .msg = release, .members = R"("peer":1,"type":"release")",
                    .feed = true, .brief = brief});
  sink.flush();
  CHECK(sink.bytes_written() == static_cast<std::uint64_t>(std::ftell(f)));

  std::rewind(f);
  std::vector<std::string> lines;
  std::string line;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) {
    if (c != '\n') {
      line += static_cast<char>(c);
      continue;
    }
    lines.push_back(line);
    line.clear();
  }
  std::fclose(f);
  REQUIRE(lines.size() == 5);
  auto page = feed.read(0, 10);
  REQUIRE(page.events.size() == 3);
  // The feed's event is the log line, "seq" added at its end; the release's blocks counted.
  auto with_seq = [](const std::string& line, int seq) {
    return line.substr(0, line.size() - 1) + ",\"seq\":" + std::to_string(seq) + "}";
  };
  CHECK(page.events[0] == with_seq(lines[0], 1));
  CHECK(page.events[1] == with_seq(lines[2], 2));
  CHECK(lines[4].find(release) != std::string::npos);  // the log keeps the blocks
  auto sent = nlohmann::json::parse(page.events[2]);
  auto logged = nlohmann::json::parse(lines[4]);
  CHECK(sent["msg"] == nlohmann::json::parse(brief));
  CHECK(sent["seq"] == 3);
  logged.erase("msg");
  sent.erase("msg");
  sent.erase("seq");
  CHECK(sent == logged);
}

TEST_CASE("log sink: the log setting leaves peer messages out of the file, never out of the event feed") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  EventFeed feed;
  {
    LogSink sink(f, 1, LogDetail::none, &feed);
    sink.write(LogOut{.event = "send", .lamport = 3, .fields = {}, .msg = R"({"seq":1,"type":"request"})",
                      .members = R"("peer":2,"type":"request")", .upkeep = false, .feed = true, .brief = {}});
    sink.write(LogOut{.event = "recv", .lamport = 4, .fields = {}, .msg = R"({"seq":0,"type":"ack"})",
                      .members = R"("peer":2,"type":"ack")", .upkeep = true, .feed = false, .brief = {}});
    sink.write(LogOut{"cs_enter", 5, {{"req", {{"ts", 3}, {"node", 1}}}}});
  }
  auto lines = read_lines(f);
  REQUIRE(lines.size() == 1);  // cs_enter only: no peer message in the file
  auto page = feed.read(0, 10);
  REQUIRE(page.events.size() == 2);  // the request, then cs_enter; never the ack
  auto request = nlohmann::json::parse(page.events[0]);
  CHECK(request["event"] == "send");
  CHECK(request["type"] == "request");
  CHECK(request["seq"] == 1);
  CHECK(page.events[1] == lines[0].substr(0, lines[0].size() - 1) + ",\"seq\":2}");
}
