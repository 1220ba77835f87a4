// A node's replies as text for people: dollars (the node speaks cents), short hashes,
// aligned columns. Pure: the caller prints.
#pragma once

#include <string>
#include <string_view>

#include "messages/block.hpp"
#include "messages/console_message.hpp"

namespace bank::cli {

// "$4.00", "-$0.05".
std::string dollars(Cents cents);
// A node's sentence with every "N cents" (or "1 cent") written as dollars: "account 1 holds
// 600 cents, less than the 4000 cents asked" -> "account 1 holds $6.00, less than the $40.00
// asked".
std::string cents_as_dollars(std::string_view sentence);

// What a reply prints: `out` for stdout; a reply that is not ok has `error`, the line for
// stderr ("aborted: ...", in dollars).
struct ReplyText {
  std::string out;
  std::string error;
};
ReplyText reply_text(const ConsoleReply& reply);

// The chain as a table: the header, then a row per block.
std::string chain_header();
std::string block_row(const Block& b);

// A node's metrics: counters, gauges, histograms (count, mean, p50, p99 read off the
// buckets, so bounds: "<= 1 ms"), and a block per peer.
std::string metrics_text(const MetricsReply& r);
// One event of the feed on one line: number, time (UTC), clock, event, what it says.
std::string event_line(const std::string& event_json);

}  // namespace bank::cli
