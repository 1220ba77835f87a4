// bank-trace: the space-time diagram of a run (docs/tracing.md), one self-contained HTML
// file, and a check of Lamport's rules over the same events.
//   bank-trace [OPTIONS] LOG...            node logs: files, or folders of node-N.log files
//   bank-trace [OPTIONS] --config FILE --seconds S
//                                          follow every node's event feed for S seconds
//   --from T --to T     the picture's window: RFC 3339 times, or offsets after the first
//                       event (2.5, 2.5s, 300ms)
//   --last K            the picture from the request of the K-th last critical-section entry
//   --check             check every event read; one line per violation; exit 1 if any
//   -o FILE             the picture (default trace.html; FILE.svg: the SVG alone); with
//                       --check, drawn only when -o is given
//   --json              one JSON object on stdout for scripts instead of the text
// Progress and a summary line go to stderr. Exit: 0 ok, 1 violations, 2 bad usage, a missing
// file, an unreadable line or a refused feed, 3 no node answered.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "apps/bench/stop_signal.hpp"
#include "apps/trace/feed_follower.hpp"
#include "apps/trace/trace_checker.hpp"
#include "apps/trace/trace_document.hpp"
#include "apps/trace/trace_reader.hpp"
#include "apps/trace/trace_time.hpp"
#include "client/default_config.hpp"
#include "config/cluster_config.hpp"

namespace {

namespace fs = std::filesystem;
using namespace bank::trace;

enum Exit { ok = 0, violations = 1, usage = 2, no_answer = 3 };

// Beyond this many rows a browser still draws the picture, but nobody reads it.
constexpr std::size_t kReadableRows = 20000;

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "bank-trace: %s\n", message.c_str());
  return code;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Lamport Bank trace: the space-time diagram of a run, and a check of Lamport's rules", "bank-trace"};
  app.set_version_flag("--version", "bank-trace " BANK_VERSION);
  std::vector<std::string> logs;
  std::string config_path, key_path, from_text, to_text, output;
  std::optional<double> seconds;
  std::optional<std::size_t> last;
  bool check = false, json_out = false;
  app.add_option("logs", logs, "node log files, or folders holding node-N.log files (run/logs, a bank-bench --keep folder)");
  app.add_option("--config", config_path, "follow the nodes of this cluster config live (default config/cluster.yaml)");
  app.add_option("--seconds", seconds, "how long to follow the nodes' event feeds (default 10)")
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--key", key_path, "client secret key for the feed (default: each node's keys_dir/client-N.secret)");
  app.add_option("--from", from_text, "draw from this time (RFC 3339) or offset after the first event (2.5, 300ms)");
  app.add_option("--to", to_text, "draw up to this time or offset");
  app.add_option("--last", last, "draw the last K critical-section entries (from the request of the first)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  app.add_flag("--check", check, "check Lamport's rules over every event read; exit 1 on a violation");
  app.add_option("-o,--output", output, "the picture: FILE.html (default trace.html), or FILE.svg for the SVG alone");
  app.add_flag("--json", json_out, "print one JSON object (figures, findings) on stdout for scripts");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return fail(usage, std::string(e.what()) + " (try --help)");
  }

  TraceWindow window;
  window.last = last;
  if (!from_text.empty() && !(window.from = TraceTime::parse_bound(from_text)))
    return fail(usage, "--from " + from_text + " is neither an RFC 3339 time nor an offset like 2.5, 2.5s or 300ms");
  if (!to_text.empty() && !(window.to = TraceTime::parse_bound(to_text)))
    return fail(usage, "--to " + to_text + " is neither an RFC 3339 time nor an offset like 2.5, 2.5s or 300ms");
  const bool live = !config_path.empty() || seconds;
  if (live && !logs.empty()) return fail(usage, "either log files or --config/--seconds (a live cluster), not both");
  if (!live && logs.empty())
    return fail(usage, "name the logs to draw (files, or a folder such as run/logs), or follow a running cluster "
                       "with --config FILE --seconds S (try --help)");
  if (!key_path.empty() && !live) return fail(usage, "--key is for following a live cluster (--config, --seconds)");
  const bool draw = !check || !output.empty();
  if (output.empty()) output = "trace.html";

  TraceReader reader;
  TraceDocument::Options options;
  if (live) {
    // Ctrl-C ends the follow and draws what came; elsewhere it stops the program as usual.
    bank::bench::StopSignal::install();
    const fs::path path = config_path.empty() ? bank::default_config_path() : fs::path(config_path);
    auto config = bank::ClusterConfig::load(path);
    if (!config) return fail(usage, path.string() + ": " + config.error().message);
    const double s = seconds.value_or(10);
    std::optional<fs::path> key;
    if (!key_path.empty()) key = key_path;
    std::fprintf(stderr, "bank-trace: following %zu nodes of %s for %g s (Ctrl-C draws what came so far)\n",
                 config->nodes.size(), path.c_str(), s);
    FeedFollower follower(*config, key);
    auto err = follower.follow(std::chrono::milliseconds(static_cast<long long>(s * 1000)),
                               [] { return bank::bench::StopSignal::requested(); }, reader, stderr);
    if (err) return fail(err->id == "trace.no_answer" ? no_answer : usage, err->message);
    options.title = "Lamport Bank: " + path.filename().string() + ", live";
    options.facts.push_back("followed the event feeds of " + plural(config->nodes.size(), "node", "nodes") + " of " +
                            path.string() + " for " + TraceTime::duration(static_cast<std::int64_t>(s * 1e6)));
  } else {
    for (const auto& l : logs) {
      if (auto err = reader.add_path(l)) return fail(usage, err->message);
    }
    std::string files;
    for (const auto& f : reader.sources()) files += (files.empty() ? "" : ", ") + fs::path(f).filename().string();
    std::fprintf(stderr, "bank-trace: read %s (%s, %.1f MB)\n", files.c_str(),
                 plural(reader.lines(), "line", "lines").c_str(), static_cast<double>(reader.bytes()) / 1e6);
    options.title = "Lamport Bank: " + (logs.size() == 1 ? logs.front() : plural(logs.size(), "log", "logs"));
    options.facts.push_back("read from " + files);
  }
  if (reader.torn())
    std::fprintf(stderr, "bank-trace: skipped %s (a node stopped while writing it)\n",
                 plural(reader.torn(), "torn last line", "torn last lines").c_str());
  const std::vector<TraceEvent> events = reader.take_events();

  std::optional<CheckReport> report;
  if (check) report = TraceChecker::check(events);
  if (report && !json_out) {
    for (const auto& v : report->violations) std::printf("%s\n", v.text.c_str());
    std::printf("%s\n", report->summary().c_str());
  }

  std::optional<TraceDocument> doc;
  if (draw) {
    options.window = window;
    doc.emplace(events, report ? &*report : nullptr, options);
    const bool svg_only = fs::path(output).extension() == ".svg";
    if (!write_file(output, svg_only ? doc->svg() : doc->html())) return fail(usage, "cannot write " + output);
    std::fprintf(stderr, "bank-trace: %s: %s\n", output.c_str(), doc->summary().c_str());
    if (doc->rows() > kReadableRows)
      std::fprintf(stderr, "bank-trace: the picture is %zu rows tall; --last K or --from/--to draw a part of it\n",
                   doc->rows());
    if (doc->events() == 0)
      std::fprintf(stderr, "bank-trace: nothing to draw: no request, reply, release or critical-section events%s\n",
                   window.whole() ? "" : " in the window");
  }

  if (json_out) {
    nlohmann::json j = {{"events", events.size()}, {"torn_lines", reader.torn()}, {"sources", reader.sources()}};
    j["picture"] = doc ? doc->summary_json() : nlohmann::json(nullptr);
    if (doc) j["picture"]["output"] = output;
    if (report) {
      nlohmann::json found = nlohmann::json::array();
      for (const auto& v : report->violations) found.push_back({{"rule", v.rule}, {"text", v.text}});
      j["check"] = {{"ok", report->ok()},         {"entries", report->entries}, {"commits", report->blocks},
                    {"unjudged", report->unjudged}, {"violations", found}};
    } else {
      j["check"] = nullptr;
    }
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return report && !report->ok() ? violations : ok;
}
