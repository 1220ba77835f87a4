// bank-sim: runs seeded simulations of whole clusters and checks every invariant.
//   bank-sim --first N --count K      seeds N..N+K-1; exit 1 and print the seed on any failure
//   SIM_SEED=N bank-sim               replay one seed, verbosely
//   --check-replay                    run each seed twice; the trace hashes must match
//   --expect-trace HEX                the (one) seed's trace hash must be HEX: a change of
//                                     draws, of toolchain or of behaviour shows as another
//   --fork                            plant a fork (two nodes with different blocks at one
//                                     index); it must be found and never built on
//   --wrong-entry-rule --expect-violation
//                                     use the old client's rule; succeed only if the checker
//                                     reports two nodes in the critical section
//   --plant no-sync|keep-timed-out --expect-violation
//                                     plant a bug (stores whose sync makes nothing durable;
//                                     timed-out transfers left staged); succeed only if the
//                                     checker reports what it breaks
//   --remove-guard NAME --expect-violation
//                                     remove one incarnation guard (messages/guards.hpp);
//                                     succeed only if the checker reports any violation
//   --trace FILE                      (one seed) draw its space-time diagram as bank-trace
//                                     does (docs/tracing.md): a failing seed becomes a picture
//   --logs DIR                        (one seed) write each node's log as DIR/node-N.log, for
//                                     bank-trace --check or jq
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apps/trace/trace_checker.hpp"
#include "apps/trace/trace_document.hpp"
#include "apps/trace/trace_reader.hpp"
#include "messages/guards.hpp"
#include "simulation.hpp"

using namespace bank::sim;

namespace {

// --trace and --logs: the seed's log lines as node logs, and as bank-trace's picture, the
// checker's findings on it. Returns false (said why) when a file cannot be written.
bool write_trace(std::uint64_t seed, const SimResult& r, const std::vector<SimLogLine>& lines, const std::string& html,
                 const std::string& logs_dir) {
  std::map<bank::NodeId, std::string> logs;
  for (const auto& l : lines) logs[l.node] += l.text;
  if (!logs_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(logs_dir, ec);
    for (const auto& [node, text] : logs) {
      auto path = std::filesystem::path(logs_dir) / ("node-" + std::to_string(node) + ".log");
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out) {
        std::fprintf(stderr, "bank-sim: cannot write %s\n", path.c_str());
        return false;
      }
    }
    std::printf("seed %llu: %zu node logs in %s\n", static_cast<unsigned long long>(seed), logs.size(), logs_dir.c_str());
  }
  if (html.empty()) return true;
  bank::trace::TraceReader reader;
  for (const auto& [node, text] : logs)
    if (auto err = reader.add_text(text, "node-" + std::to_string(node) + ".log")) {
      std::fprintf(stderr, "bank-sim: the trace does not read back: %s\n", err->message.c_str());
      return false;
    }
  const auto events = reader.take_events();
  const auto report = bank::trace::TraceChecker::check(events);
  bank::trace::TraceDocument::Options options;
  options.title = "bank-sim seed " + std::to_string(seed) + ": " + std::to_string(r.nodes) + " nodes";
  options.facts.push_back("simulated time, counted from 1970-01-01T00:00:00Z; replay: SIM_SEED=" +
                          std::to_string(seed) + " bank-sim");
  options.facts.push_back(r.violation ? "the simulation's checker: " + *r.violation
                                      : "the simulation's checker found nothing wrong");
  bank::trace::TraceDocument doc(events, &report, options);
  std::ofstream out(html, std::ios::binary | std::ios::trunc);
  out << doc.html();
  if (!out) {
    std::fprintf(stderr, "bank-sim: cannot write %s\n", html.c_str());
    return false;
  }
  std::printf("seed %llu: picture in %s: %s; %s\n", static_cast<unsigned long long>(seed), html.c_str(),
              doc.summary().c_str(), report.summary().c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t first = 1, count = 100;
  bool check_replay = false, wrong_rule = false, expect_violation = false, verbose = false, fork = false;
  std::optional<std::uint64_t> expect_trace;
  std::string trace_file, logs_dir;
  SimOptions::Plant plant = SimOptions::Plant::none;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::uint64_t {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bank-sim: %s needs a number\n", a.c_str());
        std::exit(2);
      }
      return std::strtoull(argv[++i], nullptr, 10);
    };
    auto next_hex = [&]() -> std::uint64_t {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bank-sim: %s needs a hex number\n", a.c_str());
        std::exit(2);
      }
      return std::strtoull(argv[++i], nullptr, 16);
    };
    if (a == "--first") first = next();
    else if (a == "--count") count = next();
    else if (a == "--check-replay") check_replay = true;
    else if (a == "--wrong-entry-rule") wrong_rule = true;
    else if (a == "--expect-violation") expect_violation = true;
    else if (a == "--verbose") verbose = true;
    else if (a == "--fork") fork = true;
    else if (a == "--expect-trace") expect_trace = next_hex();
    else if (a == "--plant") {
      const std::string what = i + 1 < argc ? argv[++i] : "";
      if (what == "no-sync") plant = SimOptions::Plant::no_sync;
      else if (what == "keep-timed-out") plant = SimOptions::Plant::keep_timed_out;
      else {
        std::fprintf(stderr, "bank-sim: --plant takes no-sync or keep-timed-out\n");
        return 2;
      }
    }
    else if (a == "--remove-guard") {
      const std::string what = i + 1 < argc ? argv[++i] : "";
      const auto& names = bank::guards::names;
      auto it = std::find(names.begin(), names.end(), what);
      if (it == names.end()) {
        std::string all;
        for (auto n : names) all += std::string(all.empty() ? "" : ", ") + std::string(n);
        std::fprintf(stderr, "bank-sim: --remove-guard takes one of: %s\n", all.c_str());
        return 2;
      }
      bank::guards::removed = static_cast<bank::guards::Guard>(it - names.begin());
    }
    else if (a == "--trace" || a == "--logs") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bank-sim: %s needs a file name\n", a.c_str());
        return 2;
      }
      (a == "--trace" ? trace_file : logs_dir) = argv[++i];
    }
    else {
      std::fprintf(stderr, "bank-sim: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (const char* s = std::getenv("SIM_SEED")) {
    first = std::strtoull(s, nullptr, 10);
    count = 1;
    verbose = true;
  }
  const bool tracing = !trace_file.empty() || !logs_dir.empty();
  if (tracing && count != 1) {
    std::fprintf(stderr, "bank-sim: --trace and --logs record one seed: add --count 1 (or use SIM_SEED=N)\n");
    return 2;
  }
  std::vector<SimLogLine> log_lines;
  SimOptions base;
  if (wrong_rule) base.rule = &replies_only_rule;
  base.verbose = verbose;
  base.plant_fork = fork;
  base.plant = plant;
  // What the checker must report for the planted bug (--expect-violation), and its name.
  const char* expected = "hold the critical section at once";
  const char* planted = "the wrong entry rule";
  if (plant == SimOptions::Plant::no_sync) {
    expected = "before it was synced";
    planted = "the lost sync";
  } else if (plant == SimOptions::Plant::keep_timed_out) {
    expected = "was answered timeout, yet it was appended";
    planted = "the timed-out transfer left staged";
  }
  std::string guard_name;
  if (bank::guards::removed != bank::guards::Guard::count) {
    expected = "";  // without its guard, whatever breaks first
    guard_name = "the removed guard " + std::string(bank::guards::names[static_cast<std::size_t>(bank::guards::removed)]);
    planted = guard_name.c_str();
  }

  auto start = std::chrono::steady_clock::now();
  std::size_t passed = 0, failed = 0, committed = 0, aborted = 0, timeouts = 0, lost = 0, conflicts = 0, crashes = 0, partitions = 0,
              rejected = 0;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    SimOptions o = base;
    o.seed = seed;
    if (tracing) o.log_lines = &log_lines;
    SimResult r = run_simulation(o);
    if (tracing && !write_trace(seed, r, log_lines, trace_file, logs_dir)) return 2;
    o.log_lines = nullptr;
    if (check_replay) {
      o.verbose = false;
      SimResult again = run_simulation(o);
      if (again.trace_hash != r.trace_hash) {
        std::printf("seed %llu: replay gave trace %016llx, first run %016llx (replay: SIM_SEED=%llu)\n",
                    static_cast<unsigned long long>(seed), static_cast<unsigned long long>(again.trace_hash),
                    static_cast<unsigned long long>(r.trace_hash), static_cast<unsigned long long>(seed));
        ++failed;
        continue;
      }
      std::printf("seed %llu: trace %016llx twice\n", static_cast<unsigned long long>(seed),
                  static_cast<unsigned long long>(r.trace_hash));
    }
    if (expect_trace && r.trace_hash != *expect_trace) {
      std::printf("seed %llu: trace %016llx, expected %016llx (replay: SIM_SEED=%llu)\n",
                  static_cast<unsigned long long>(seed), static_cast<unsigned long long>(r.trace_hash),
                  static_cast<unsigned long long>(*expect_trace), static_cast<unsigned long long>(seed));
      ++failed;
      continue;
    }
    if (r.violation) {
      if (expect_violation && r.violation->find(expected) != std::string::npos) {
        std::printf("seed %llu: the checker caught %s: %s\n", static_cast<unsigned long long>(seed), planted,
                    r.violation->c_str());
        std::printf("1 passed, 0 failed\n");
        return 0;
      }
      std::printf("FAIL seed %llu (%zu nodes): %s\n  replay: SIM_SEED=%llu %s%s\n", static_cast<unsigned long long>(seed),
                  r.nodes, r.violation->c_str(), static_cast<unsigned long long>(seed), argv[0], fork ? " --fork" : "");
      ++failed;
      if (!expect_violation) continue;
    } else {
      ++passed;
      committed += r.committed;
      aborted += r.aborted;
      timeouts += r.timeouts;
      rejected += r.rejected;
      conflicts += r.conflicts;
      lost += r.lost;
      crashes += r.crashes;
      partitions += r.partitions;
    }
    if (verbose)
      std::printf("seed %llu: %zu nodes, %zu committed, %zu aborted, %zu frames, %lld ms simulated, trace %016llx\n",
                  static_cast<unsigned long long>(seed), r.nodes, r.committed, r.aborted, r.frames,
                  static_cast<long long>(r.sim_ms), static_cast<unsigned long long>(r.trace_hash));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (expect_violation) {
    if (failed)  // caught as something else: the FAIL lines above say what
      std::printf("%s was not reported as such over %llu seeds (%zu failed on another violation first)\n"
                  "0 passed, 1 failed\n",
                  planted, static_cast<unsigned long long>(count), failed);
    else
      std::printf("%s went unnoticed over %llu seeds\n0 passed, 1 failed\n", planted,
                  static_cast<unsigned long long>(count));
    return 1;
  }
  std::printf("seeds %llu..%llu: %zu transfers committed, %zu aborted, %zu timed out, %zu lost in crashes, "
              "%zu refused for a reused txid; %zu crashes, %zu partitions; %.1f seeds/s\n",
              static_cast<unsigned long long>(first), static_cast<unsigned long long>(first + count - 1), committed,
              aborted, timeouts, lost, conflicts, crashes, partitions, count / secs);
  if (fork) std::printf("forks planted: %zu transfers refused for the divergence\n", rejected);
  std::printf("%zu passed, %zu failed\n", passed, failed);
  return failed ? 1 : 0;
}
