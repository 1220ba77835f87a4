// Replies as text: the formats README's tour shows, kept column for column.
#include "apps/cli/reply_text.hpp"

#include <cctype>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <map>

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
};

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
