// End to end: bank-trace on a real three-node cluster: from its logs and from its live event
// feed it draws one bar per critical-section entry and one arrow per message matched in the
// logs, as SVG that a strict XML parser accepts and headless Chromium renders; its check
// passes on the run.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "cluster_checks.hpp"

using namespace bank::e2e;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// What a run's logs say the picture must hold, counted here apart from bank-trace's code.
struct Expected {
  std::size_t entries = 0;   // cs_enter lines
  std::size_t messages = 0;  // request/reply/release messages with both a send and a recv line
  std::size_t height = 0;
};

Expected expected_from_logs(const ClusterHarness& c) {
  using Key = std::tuple<long long, long long, unsigned long long, unsigned long long, unsigned long long>;
  std::set<Key> sent, received;
  Expected x;
  for (int node = 1; node <= c.size(); ++node) {
    for (const auto& e : c.log_events(node)) {
      REQUIRE_FALSE(e.is_discarded());
      const std::string event = e["event"];
      if (event == "cs_enter") ++x.entries;
      if (event == "commit" && node == 1) ++x.height;
      if (event != "send" && event != "recv") continue;
      const std::string type = e["type"];
      if (type != "request" && type != "reply" && type != "release") continue;
      const json& m = e["msg"];
      const long long from = m["from"], to = event == "send" ? e["peer"].get<long long>() : node;
      Key k{from, to, m["inc"], m["to_inc"], m["seq"]};
      (event == "send" ? sent : received).insert(k);
    }
  }
  for (const auto& k : sent) x.messages += received.count(k);
  return x;
}

// A program on PATH, or "".
std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');)
    if (!d.empty() && ::access((d + "/" + name).c_str(), X_OK) == 0) return d + "/" + name;
  return "";
}

// Transfers from every node at once, some of them overdrafts.
void run_transfers(ClusterHarness& c) {
  std::vector<std::thread> clients;
  for (int node = 1; node <= 3; ++node)
    clients.emplace_back([&c, node] {
      for (int i = 0; i < 6; ++i) {
        auto r = c.ask(node, {{"cmd", "transfer"}, {"to", node % 3 + 1}, {"amount", 100 + 50 * i}});
        CHECK(r);
      }
    });
  for (auto& t : clients) t.join();
  c.wait_same_height();
}

// The SVG part of a page, parsed by Python's strict XML parser: the counts of message
// arrows (<g class="msg ...">), critical-section bars (<rect class="cs ...">) and commit
// labels, as JSON; exits non-zero (saying why) when the SVG is not well-formed.
json svg_counts(const fs::path& html) {
  static const char* script = R"(
import json, sys, xml.etree.ElementTree as ET
text = open(sys.argv[1], encoding="utf-8").read()
start, end = text.index("<svg"), text.index("</svg>") + len("</svg>")
root = ET.fromstring(text[start:end])
ns = "{http://www.w3.org/2000/svg}"
def count(tag, cls):
    return sum(1 for e in root.iter(ns + tag) if cls in e.get("class", "").split())
print(json.dumps({"msgs": count("g", "msg"), "cs": count("rect", "cs"), "commits": count("text", "commit"),
                  "titles": sum(1 for _ in root.iter(ns + "title"))}))
)";
  const std::string python = on_path("python3");
  REQUIRE_MESSAGE(!python.empty(), "python3 is needed to check the SVG (scripts/deps.sh installs it)");
  auto r = ClusterHarness::run({python, "-c", script, html.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, "the SVG is not well-formed XML: " << r.err);
  return json::parse(r.out);
}

// bank-trace's JSON summary, after checking its exit code.
json trace(const std::vector<std::string>& args, int expect_exit = 0) {
  std::vector<std::string> argv{BANK_TRACE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = ClusterHarness::run(argv, "", std::chrono::seconds(60));
  INFO("bank-trace stderr: " << r.err);
  REQUIRE(r.exit_code == expect_exit);
  auto j = json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << r.out);
  return j;
}

void check_picture(const json& summary, const fs::path& html, const Expected& x) {
  CHECK(summary["check"]["ok"] == true);
  CHECK(summary["check"]["entries"] == x.entries);
  CHECK(summary["check"]["commits"] == x.height);
  CHECK(summary["picture"]["critical_sections"] == x.entries);
  CHECK(summary["picture"]["messages"] == x.messages);
  auto counts = svg_counts(html);
  CHECK(counts["cs"] == x.entries);
  CHECK(counts["msgs"] == x.messages);
  CHECK(counts["commits"].get<int>() > 0);
}

}  // namespace

TEST_CASE("e2e trace: bank-trace draws a real run from its logs, as strict SVG that Chromium renders") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  run_transfers(c);
  c.stop_all();  // every line on disk
  const Expected x = expected_from_logs(c);
  REQUIRE(x.entries > 0);
  REQUIRE(x.messages >= 4 * x.entries);  // at least a request and a release to each of two peers
  MESSAGE(x.entries << " entries, " << x.messages << " messages, height " << x.height);

  const fs::path html = c.dir() / "trace.html";
  auto summary = trace({"--check", "--json", "-o", html.string(), c.dir().string()});
  check_picture(summary, html, x);
  CHECK(summary["torn_lines"] == 0);

  // The last entry alone: its bar and the messages around it, fewer than the whole.
  const fs::path last = c.dir() / "last.html";
  auto part = trace({"--last", "1", "--json", "-o", last.string(), c.dir().string()});
  CHECK(part["picture"]["critical_sections"].get<std::size_t>() >= 1);
  CHECK(part["picture"]["messages"].get<std::size_t>() < x.messages);
  CHECK(svg_counts(last)["msgs"] == part["picture"]["messages"]);

  const std::string chromium = on_path("chromium").empty() ? on_path("chromium-browser") : on_path("chromium");
  if (chromium.empty() || ClusterHarness::run({chromium, "--version"}).exit_code != 0) {
    MESSAGE("skipped the Chromium part: chromium cannot run here (scripts/deps.sh installs the Debian package)");
    return;
  }
  const std::vector<std::string> flags{chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                                       "--user-data-dir=" + (c.dir() / "chromium").string()};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> argv = flags;
    argv.insert(argv.end(), more.begin(), more.end());
    return ClusterHarness::run(argv, "", std::chrono::seconds(90));
  };
  // The DOM Chromium built from the file holds the same picture.
  auto dom = with({"--dump-dom", "file://" + html.string()});
  REQUIRE_MESSAGE(dom.exit_code == 0, dom.err);
  std::size_t arrows = 0, bars = 0;
  for (auto at = dom.out.find("<g class=\"msg "); at != std::string::npos; at = dom.out.find("<g class=\"msg ", at + 1))
    ++arrows;
  for (auto at = dom.out.find("<rect class=\"cs"); at != std::string::npos; at = dom.out.find("<rect class=\"cs", at + 1))
    ++bars;
  CHECK(arrows == x.messages);
  CHECK(bars == x.entries);
  // And a screenshot of it: a PNG of the size asked for.
  const fs::path png = c.dir() / "trace.png";
  auto shot = with({"--screenshot=" + png.string(), "--window-size=1200,1600", "file://" + html.string()});
  REQUIRE_MESSAGE(shot.exit_code == 0, shot.err);
  std::ifstream in(png, std::ios::binary);
  std::string head(24, '\0');
  REQUIRE(in.read(head.data(), 24));
  CHECK(head.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(head[at]) << 24) | (static_cast<unsigned char>(head[at + 1]) << 16) |
           (static_cast<unsigned char>(head[at + 2]) << 8) | static_cast<unsigned char>(head[at + 3]);
  };
  CHECK(be32(16) == 1200);
  CHECK(be32(20) == 1600);
  CHECK(fs::file_size(png) > 20000);  // a blank page of that size compresses to a few KB
}

TEST_CASE("e2e trace: bank-trace follows a live cluster's event feed and draws what the logs show") {
  ClusterHarness c(3);
  c.start_all();
  c.wait_ready();
  auto probe = c.ask(1, {{"cmd", "events"}, {"limit", 1}});
  REQUIRE(probe);
  if ((*probe)["ok"] == false && (*probe)["status"] == "rejected") {
    MESSAGE("skipped: this bank-node has no events command yet (it answered " << probe->dump() << ")");
    return;
  }
  run_transfers(c);
  const fs::path html = c.dir() / "live.html";
  // As a reader: client 2's key at every node (owner keys are the default).
  auto summary = trace({"--config", c.config().string(), "--seconds", "1.5", "--key",
                        (c.dir() / "keys" / "client-2.secret").string(), "--check", "--json", "-o", html.string()});
  c.stop_all();
  const Expected x = expected_from_logs(c);
  REQUIRE(x.entries > 0);
  check_picture(summary, html, x);
}
