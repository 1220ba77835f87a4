// Replies as text: the formats README's tour shows, kept column for column.
#include "apps/cli/reply_text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "config/cluster_config.hpp"

namespace bank::cli {

namespace {

std::string short_hash(const std::string& h) { return h.substr(0, 8); }
unsigned long long ull(std::uint64_t x) { return static_cast<unsigned long long>(x); }

// printf into a string (measured first, then written).
[[gnu::format(printf, 1, 2)]] std::string format(const char* pattern, ...) {
  std::va_list args, again;
  va_start(args, pattern);
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, pattern, args);
  va_end(args);
  std::string s(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  std::vsnprintf(s.data(), s.size() + 1, pattern, again);  // writes the NUL into s's own terminator
  va_end(again);
  return s;
}

// Balances in the order people have always seen them: by the account's id as text.
std::map<std::string, Cents> by_name(const Balances& balances) {
  std::map<std::string, Cents> out;
  for (const auto& [id, cents] : balances) out[std::to_string(id)] = cents;
  return out;
}

struct Render {
  ReplyText operator()(const TransferDone& r) const {
    const auto& tx = *r.block.tx;
    return {format("committed %s from %u to %u in block %llu (txid %s)%s\n", dollars(tx.amount).c_str(), tx.from, tx.to,
                   ull(r.block.index), r.txid.c_str(),
                   r.replay ? ": a replay of the earlier decision on this txid, nothing new was paid" : ""),
            ""};
  }
  ReplyText operator()(const BalancesReply& r) const {
    std::string out;
    for (const auto& [id, c] : by_name(r.balances)) out += format("node %-4s %12s\n", id.c_str(), dollars(c).c_str());
    return {out, ""};
  }
  ReplyText operator()(const BalanceReply& r) const {
    return {format("node %-4u %12s\n", r.id, dollars(r.balance).c_str()), ""};
  }
  ReplyText operator()(const ChainReply& r) const {
    std::string out = chain_header();
    for (const auto& b : r.blocks) out += block_row(b);
    return {out, ""};
  }
  ReplyText operator()(const StatusReply& r) const {
    std::string out = format("node %u  lamport %llu  height %llu  head %s\n", r.id, ull(r.lamport), ull(r.height),
                             short_hash(r.head).c_str());
    std::string queue, peers;
    for (const auto& q : r.queue) queue += " (" + std::to_string(q.ts) + "," + std::to_string(q.node) + ")";
    for (const auto& p : r.peers)
      peers += " " + std::to_string(p.id) +
               (!p.refused.empty() ? ":refused (" + p.refused + ")" : p.connected ? ":up" : ":down");
    out += "queue:" + (queue.empty() ? std::string(" empty") : queue) + "\npeers:" + peers + "\n";
    if (r.security_off) out += "security: off (this cluster's config turned it off)\n";
    for (const auto& d : r.diverged)
      out += format("DIVERGED from node %u at index %llu: transfers are refused until an operator repairs the data and "
                    "restarts\n",
                    d.peer, ull(d.index));
    return {out, ""};
  }
  ReplyText operator()(const VerifyReply& r) const { return {format("chain verified: height %llu\n", ull(r.height)), ""}; }
  ReplyText operator()(const FailureReply& r) const { return {"", r.status + ": " + cents_as_dollars(r.error) + "\n"}; }
  ReplyText operator()(const MetricsReply& r) const { return {metrics_text(r), ""}; }
  ReplyText operator()(const EventsReply& r) const {
    std::string out;
    for (const auto& e : r.events) out += event_line(e);
    return {out, ""};
  }
};

// A number of microseconds for people: "850 µs", "12.5 ms", "1.2 s".
std::string micros(double us) {
  if (us < 1000) return format("%.0f µs", us);
  if (us < 1e6) return format("%.3g ms", us / 1000);
  return format("%.3g s", us / 1e6);
}

// `text` right-aligned in `width` columns: a character is one column, however many bytes
// its UTF-8 takes ("µs"), which printf's widths cannot tell.
std::string right(const std::string& text, std::size_t width) {
  std::size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xc0) != 0x80;
  return std::string(width > columns ? width - columns : 0, ' ') + text;
}

// A histogram's q-quantile as the bucket holding it says it: "<= BOUND", or "> LAST" when
// it lies above the last bound.
template <class Unit>
std::string quantile(const Histogram& h, double q, Unit unit) {
  if (h.count() == 0) return "-";
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(h.count()))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < h.bounds().size(); ++i) {
    seen += h.counts()[i];
    if (seen >= rank) return "<= " + unit(static_cast<double>(h.bounds()[i]));
  }
  return "> " + unit(static_cast<double>(h.bounds().back()));
}

std::string histogram_row(const std::string& name, const Histogram& h) {
  const bool us = name.ends_with("_us");
  auto unit = [us](double v) { return us ? micros(v) : format("%.3g", v); };
  const std::string mean = h.count() ? unit(static_cast<double>(h.sum()) / static_cast<double>(h.count())) : "-";
  return format("  %-22s %8llu  ", name.c_str(), ull(h.count())) + right(mean, 12) + "  " +
         right(quantile(h, 0.5, unit), 14) + "  " + right(quantile(h, 0.99, unit), 14) + "\n";
}

std::string stamp_text(const nlohmann::json& s) {
  if (!s.is_object()) return "?";
  return "(" + s.value("ts", nlohmann::json()).dump() + "," + s.value("node", nlohmann::json()).dump() + ")";
}

}  // namespace

std::string dollars(Cents cents) {
  std::string text = format_dollars(cents);
  return text[0] == '-' ? "-$" + text.substr(1) : "$" + text;
}

std::string cents_as_dollars(std::string_view sentence) {
  std::string out;
  std::size_t i = 0;
  while (i < sentence.size()) {
    const bool starts_number = std::isdigit(static_cast<unsigned char>(sentence[i])) &&
                               (i == 0 || !std::isalnum(static_cast<unsigned char>(sentence[i - 1])));
    if (starts_number) {
      std::size_t end = i;
      while (end < sentence.size() && std::isdigit(static_cast<unsigned char>(sentence[end]))) ++end;
      std::string_view rest = sentence.substr(end);
      std::size_t unit = rest.starts_with(" cents") ? 6 : rest.starts_with(" cent") ? 5 : 0;
      const bool word_ends = unit && (unit == rest.size() || !std::isalnum(static_cast<unsigned char>(rest[unit])));
      Cents cents = 0;
      auto [ptr, ec] = std::from_chars(sentence.data() + i, sentence.data() + end, cents);
      if (word_ends && ec == std::errc{} && ptr == sentence.data() + end) {
        out += dollars(cents);
        i = end + unit;
        continue;
      }
      out += sentence.substr(i, end - i);
      i = end;
      continue;
    }
    out += sentence[i++];
  }
  return out;
}

ReplyText reply_text(const ConsoleReply& reply) { return std::visit(Render{}, reply); }

std::string metrics_text(const MetricsReply& r) {
  std::string out = format("node %u (counters since it started)\ncounters:\n", r.node);
  for (const auto& [name, v] : r.metrics.counters) out += format("  %-22s %12llu\n", name.c_str(), ull(v));
  out += "gauges:\n";
  for (const auto& [name, v] : r.metrics.gauges) out += format("  %-22s %12llu\n", name.c_str(), ull(v));
  out += format("%-24s %8s  %12s  %14s  %14s\n", "histograms:", "count", "mean", "p50", "p99");
  for (const auto& [name, h] : r.metrics.histograms) out += histogram_row(name, h);
  if (!r.peers.empty()) out += "peers:\n";
  for (const auto& [peer, m] : r.peers) {
    auto up = m.gauges.find("up");
    std::string line = "  node " + std::to_string(peer) + (up != m.gauges.end() && up->second ? "  up" : "  down");
    for (const auto& [name, v] : m.counters) line += "  " + name + " " + std::to_string(v);
    for (const auto& [name, v] : m.gauges)
      if (name != "up") line += "  " + name + " " + std::to_string(v);
    out += line + "\n";
    for (const auto& [name, h] : m.histograms) out += histogram_row("  " + name, h);
  }
  return out;
}

std::string event_line(const std::string& event_json) {
  const auto e = nlohmann::json::parse(event_json, nullptr, false);
  if (!e.is_object()) return event_json + "\n";
  auto num = [](const nlohmann::json& j, const char* key) { return j.contains(key) ? j[key].dump() : std::string("?"); };
  const std::string event = e.value("event", "?");
  const std::string ts = e.value("ts", "");
  std::string what;
  if (event == "send" || event == "recv") {
    const nlohmann::json msg = e.value("msg", nlohmann::json::object());
    what = e.value("type", "?") + (event == "send" ? " to " : " from ") + num(e, "peer") + "  seq " + num(msg, "seq") +
           "  req " + stamp_text(msg.value("req", nlohmann::json()));
    if (msg.contains("blocks")) what += "  blocks " + msg["blocks"].dump();
  } else if (event == "cs_enter" || event == "cs_exit") {
    what = "req " + stamp_text(e.value("req", nlohmann::json()));
  } else if (event == "commit") {
    const auto amount = e.value("amount", nlohmann::json());
    what = "block " + num(e, "index") + "  " + num(e, "from") + " -> " + num(e, "to") + "  " +
           (amount.is_number_integer() ? dollars(amount.get<Cents>()) : amount.dump()) + "  txid " + e.value("txid", "?");
  } else if (event == "abort") {
    what = "txid " + e.value("txid", "?") + ": " + cents_as_dollars(e.value("reason", ""));
  } else if (event == "peer_up" || event == "peer_down") {
    what = "node " + num(e, "peer") + (e.contains("reason") ? " (" + e.value("reason", "") + ")" : "");
  } else {
    what = event_json;
  }
  return format("%8s  %s  lamport %-8s %-9s %s\n", num(e, "seq").c_str(), ts.size() > 11 ? ts.substr(11).c_str() : ts.c_str(),
                num(e, "lamport").c_str(), event.c_str(), what.c_str());
}

std::string chain_header() { return " index  hash      transfer\n"; }

std::string block_row(const Block& b) {
  std::string row = format("%6llu  %s  ", ull(b.index), short_hash(b.hash).c_str());
  if (b.genesis) {
    std::string opening;
    for (const auto& [id, c] : by_name(*b.genesis)) opening += " " + id + "=" + dollars(c);
    return row + "genesis:" + opening + "\n";
  }
  if (b.tx)
    return row + format("%4u -> %-4u %12s  lamport %-8llu txid %s\n", b.tx->from, b.tx->to, dollars(b.tx->amount).c_str(),
                        ull(b.tx->lamport), b.tx->txid.c_str());
  return row + "\n";
}

}  // namespace bank::cli
