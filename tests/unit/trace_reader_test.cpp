// TraceReader: node logs from files, folders and text: every kept event in time order, a
// torn last line skipped and counted, any other bad line an error naming its file and line.
#include "apps/trace/trace_reader.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "trace_script.hpp"

using namespace bank;
using namespace bank::trace;
using bank::trace::unit::TraceScript;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = "/tmp/trace_reader_test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const fs::path& name, const std::string& text) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name, std::ios::binary) << text;
  }
};

TraceScript two_entries() {
  TraceScript s;
  s.entry(0, 1, {2}, 10, 1, "1-1");
  s.entry(1000, 2, {1}, 20, 2, "2-1");
  return s;
}

}  // namespace

TEST_CASE("trace reader: the events of all logs come out in time order, each naming its line") {
  TraceScript s = two_entries();
  TraceReader r;
  for (const auto& [node, text] : s.logs()) REQUIRE_FALSE(r.add_text(text, "node-" + std::to_string(node) + ".log"));
  auto events = r.take_events();
  REQUIRE(events.size() == 2 * 10);
  for (std::size_t i = 1; i < events.size(); ++i) CHECK(events[i - 1].ts_us <= events[i].ts_us);
  CHECK(events.front().where == "node-1.log:1");
  CHECK(events.front().event == "send");
}

TEST_CASE("trace reader: a torn last line is skipped and counted, a bad line elsewhere is an error") {
  TraceScript s = two_entries();
  const std::string good = s.logs().at(1);
  SUBCASE("torn at the end") {
    TraceReader r;
    CHECK_FALSE(r.add_text(good + R"({"ts":"2024-05-01T12:00:09.1)", "node-1.log"));
    CHECK(r.torn() == 1);
    CHECK(r.take_events().size() == 10);
  }
  SUBCASE("bad in the middle") {
    TraceReader r;
    auto err = r.add_text("{\"ts\":\n" + good, "node-1.log");
    REQUIRE(err);
    CHECK(err->id == "trace.bad_line");
    CHECK(err->message == "node-1.log:1: not a line of JSON");
  }
  SUBCASE("a bad last line that was ended is no torn line") {
    TraceReader r;
    auto err = r.add_text(good + "garbage\n", "node-1.log");
    REQUIRE(err);
    CHECK(err->message == "node-1.log:11: not a line of JSON");
  }
}

TEST_CASE("trace reader: a folder's node-N.log files are found, there or in its logs/") {
  TempDir d;
  TraceScript s = two_entries();
  SUBCASE("in the folder") {
    d.write("node-1.log", s.logs().at(1));
    d.write("node-2.log", s.logs().at(2));
    d.write("node-2.stderr", "not a log\n");
    d.write("cluster.yaml", "nodes: []\n");
    TraceReader r;
    REQUIRE_FALSE(r.add_path(d.path));
    CHECK(r.sources().size() == 2);
    CHECK(r.take_events().size() == 20);
  }
  SUBCASE("in its logs/") {
    d.write("logs/node-1.log", s.logs().at(1));
    d.write("logs/node-10.log", s.logs().at(2));
    auto logs = TraceReader::node_logs(d.path / "logs");
    REQUIRE(logs.size() == 2);
    CHECK(logs[1].filename() == "node-10.log");
    TraceReader r;
    REQUIRE_FALSE(r.add_path(d.path));
    CHECK(r.take_events().size() == 20);
  }
  SUBCASE("none") {
    TraceReader r;
    auto err = r.add_path(d.path);
    REQUIRE(err);
    CHECK(err->id == "trace.missing");
    CHECK(err->message == d.path.string() + ": no node-N.log files in this folder (nor in its logs/)");
  }
}

TEST_CASE("trace reader: a missing file is an error naming it") {
  TraceReader r;
  auto err = r.add_path("/nonexistent/node-1.log");
  REQUIRE(err);
  CHECK(err->id == "trace.missing");
  CHECK(err->message == "/nonexistent/node-1.log: cannot be read (no such file?)");
}
