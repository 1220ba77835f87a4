// BenchReport: derived figures (percentiles, per-entry ratios, CPU per transfer) and printing.
#include "apps/bench/bench_report.hpp"
#include "apps/bench/grouped.hpp"

#include <algorithm>
#include <cmath>

namespace bank::bench {

namespace {
double round_to(double x, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

nlohmann::ordered_json rounded(const std::optional<double>& x, int decimals) {
  return x ? nlohmann::ordered_json(round_to(*x, decimals)) : nlohmann::ordered_json(nullptr);
}

std::string fixed(const std::optional<double>& x, int decimals) {
  if (!x) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *x);
  return buf;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}
}  // namespace

BenchReport::BenchReport(RunFigures figures) : f_(std::move(figures)), sorted_us_(f_.load.latencies_us) {
  std::sort(sorted_us_.begin(), sorted_us_.end());
  for (const auto& n : f_.node) all_ += n.log;
}

bool BenchReport::consistent() const {
  return !f_.checks.empty() && std::all_of(f_.checks.begin(), f_.checks.end(), [](const auto& c) { return c.passed; });
}

// Nearest rank over every transfer that got a reply (committed, aborted or refused).
std::optional<double> BenchReport::percentile_ms(double p) const {
  if (sorted_us_.empty()) return std::nullopt;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted_us_.size())));
  return static_cast<double>(sorted_us_[std::clamp<std::size_t>(rank, 1, sorted_us_.size()) - 1]) / 1000.0;
}

std::optional<double> BenchReport::per_entry(long long count) const {
  if (all_.cs_enters() == 0) return std::nullopt;
  return static_cast<double>(count) / static_cast<double>(all_.cs_enters());
}

std::optional<double> BenchReport::per_entry(std::optional<long long> count) const {
  return count ? per_entry(*count) : std::nullopt;
}

std::optional<long long> BenchReport::frames_sent() const {
  long long total = 0;
  for (const auto& n : f_.node) {
    if (!n.frames_sent) return std::nullopt;
    total += *n.frames_sent;
  }
  return total;
}

// The nodes' CPU (user + system) during the load window, per 1000 committed transfers.
std::optional<double> BenchReport::cpu_per_1000() const {
  if (f_.load.committed == 0) return std::nullopt;
  double total = 0;
  for (const auto& n : f_.node) {
    if (!n.cpu_s) return std::nullopt;
    total += *n.cpu_s;
  }
  return total * 1000.0 / static_cast<double>(f_.load.committed);
}

double BenchReport::throughput() const {
  return f_.load.window_s > 0 ? static_cast<double>(f_.load.committed) / f_.load.window_s : 0.0;
}

void BenchReport::print_table(std::FILE* out) const {
  const auto& l = f_.load;
  auto row = [&](const char* label, const std::string& value) { std::fprintf(out, "  %-28s %s\n", label, value.c_str()); };
  std::string failed = grouped(l.failed);
  if (!l.failed_by.empty()) {
    std::string parts;
    for (const auto& [why, n] : l.failed_by) parts += (parts.empty() ? "" : ", ") + why + " " + grouped(n);
    failed += " (" + parts + ")";
  }
  std::string lamport = fixed(per_entry(all_.lamport_sends()), 2);
  if (f_.nodes > 1) lamport += "   (Lamport: 3(N-1) = " + std::to_string(3 * (f_.nodes - 1)) + ")";

  std::fprintf(out, "bank-bench results\n");
  row("nodes", std::to_string(f_.nodes));
  row("clients", std::to_string(f_.clients));
  row("seconds", seconds_text(f_.seconds) + "   (window " + fixed(l.window_s, 3) + " s: first send to last reply)");
  row("fsync", f_.fsync ? "on" : "off");
  row("batch", f_.batch ? std::to_string(*f_.batch) : "node default");
  row("hosting", f_.hosting ? *f_.hosting : "node default");
  row("security", f_.security ? "on (CURVE links and consoles, signed blocks)" : "off (--insecure)");
  row("seed", std::to_string(f_.seed));
  row("committed", grouped(l.committed));
  row("aborted", grouped(l.aborted));
  row("failed", failed);
  row("in flight at stop", grouped(l.in_flight_at_stop));
  auto tenths = std::llround(throughput() * 10);
  row("throughput/s", grouped(tenths / 10) + "." + std::to_string(tenths % 10));
  row("latency ms p50 p90 p99 max", fixed(percentile_ms(0.50), 3) + "  " + fixed(percentile_ms(0.90), 3) + "  " +
                                        fixed(percentile_ms(0.99), 3) + "  " + fixed(percentile_ms(1.0), 3));
  row("msgs per entry (all)", fixed(per_entry(frames_sent()), 2));
  row("msgs per entry (req+rep+rel)", lamport);
  row("transfers per entry", fixed(per_entry(l.committed), 2));
  row("CPU s per 1000 transfers", fixed(cpu_per_1000(), 3) + "   (nodes, during the load)");
  row("bench's own CPU s", fixed(l.own_cpu_s, 2) + "   (clients and their ZeroMQ threads)");
  std::string types;
  for (const auto& [t, n] : all_.sends_by_type()) types += (types.empty() ? "" : ", ") + t + " " + grouped(n);
  // The default log leaves out the links' heartbeats and acks; the metrics count every frame.
  if (auto frames = frames_sent(); frames && *frames > all_.sends())
    types += (types.empty() ? "" : ", ") + std::string("not logged (heartbeats, acks) ") + grouped(*frames - all_.sends());
  row("sent by type", types.empty() ? "-" : types);

  std::fprintf(out, "\n  %-5s %10s %14s %12s %11s %10s %7s %9s\n", "node", "CPU s", "peak RSS MiB", "sent msgs",
               "cs entries", "peer_down", "errors", "log MiB");
  for (const auto& n : f_.node) {
    std::optional<double> rss;
    if (n.peak_rss_kib) rss = static_cast<double>(*n.peak_rss_kib) / 1024.0;
    std::fprintf(out, "  %-5d %10s %14s %12s %11s %10s %7s %9s\n", n.id, fixed(n.cpu_s, 2).c_str(), fixed(rss, 1).c_str(),
                 n.frames_sent ? grouped(*n.frames_sent).c_str() : "-", grouped(n.log.cs_enters()).c_str(), grouped(n.log.peer_downs()).c_str(),
                 grouped(n.log.errors()).c_str(), fixed(static_cast<double>(n.log.bytes()) / (1024.0 * 1024.0), 1).c_str());
  }

  auto passed = std::count_if(f_.checks.begin(), f_.checks.end(), [](const auto& c) { return c.passed; });
  std::fprintf(out, "\n  consistency: %ld of %zu checks passed%s\n", static_cast<long>(passed), f_.checks.size(),
               consistent() ? "" : "  => NOT CONSISTENT");
  for (const auto& c : f_.checks)
    std::fprintf(out, "  %-5s %-18s %s\n", c.passed ? "ok" : "FAIL", c.name.c_str(), c.detail.c_str());
  std::fprintf(out, "\n");
}

nlohmann::ordered_json BenchReport::json() const {
  const auto& l = f_.load;
  nlohmann::ordered_json j;
  j["nodes"] = f_.nodes;
  j["clients"] = f_.clients;
  if (f_.seconds == std::floor(f_.seconds))
    j["seconds"] = static_cast<long long>(f_.seconds);
  else
    j["seconds"] = f_.seconds;
  j["committed"] = l.committed;
  j["aborted"] = l.aborted;
  j["throughput"] = round_to(throughput(), 1);
  j["p50_ms"] = rounded(percentile_ms(0.50), 3);
  j["p99_ms"] = rounded(percentile_ms(0.99), 3);
  j["msgs_per_cs"] = rounded(per_entry(frames_sent()), 2);
  j["consistent"] = consistent();
  j["failed"] = l.failed;
  j["fsync"] = f_.fsync;
  j["batch"] = f_.batch ? nlohmann::ordered_json(*f_.batch) : nlohmann::ordered_json(nullptr);
  j["transfers_per_cs"] = rounded(per_entry(l.committed), 2);
  j["lamport_msgs_per_cs"] = rounded(per_entry(all_.lamport_sends()), 2);
  j["cpu_s_per_1000"] = rounded(cpu_per_1000(), 3);
  auto rss = nlohmann::ordered_json::array();
  for (const auto& n : f_.node)
    rss.push_back(n.peak_rss_kib ? nlohmann::ordered_json(round_to(static_cast<double>(*n.peak_rss_kib) / 1024.0, 1))
                                 : nlohmann::ordered_json(nullptr));
  j["peak_rss_mib"] = rss;
  j["seed"] = f_.seed;
  j["p90_ms"] = rounded(percentile_ms(0.90), 3);
  j["max_ms"] = rounded(percentile_ms(1.0), 3);
  j["window_s"] = round_to(l.window_s, 3);
  j["height"] = f_.height;
  j["unanswered"] = l.unanswered;
  j["bench_cpu_s"] = round_to(l.own_cpu_s, 2);
  j["hosting"] = f_.hosting ? nlohmann::ordered_json(*f_.hosting) : nlohmann::ordered_json(nullptr);
  j["security"] = f_.security;
  return j;
}

}  // namespace bank::bench
