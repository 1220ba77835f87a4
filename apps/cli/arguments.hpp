// The words people type to bank-cli read as values: node ids, block indexes, counts, seconds
// and dollar amounts. Each refusal is one sentence naming the word, under a stable id that
// the tests assert; nothing here knows the grammar the words came in.
#pragma once

#include <cstdint>
#include <string_view>

#include "messages/result.hpp"
#include "messages/types.hpp"

namespace bank::cli {

// The most seconds --timeout takes: a day (a REQ wait longer than that is a hang).
inline constexpr double max_timeout_s = 86'400;

// A node id: digits only, 1 to 2^31-1 (the protocol's range). arg.node_id otherwise.
Result<NodeId> parse_node_id(std::string_view word);
// A block index: digits only, 0 to 2^63-1. arg.index otherwise.
Result<std::uint64_t> parse_block_index(std::string_view word);
// A count of blocks: digits only, 1 to 2^63-1. arg.count otherwise.
Result<std::uint64_t> parse_count(std::string_view word);
// An event's number in a node's feed: digits only, 0 to 2^63-1. arg.event otherwise.
Result<std::uint64_t> parse_event_number(std::string_view word);
// A count of events: digits only, 1 to 2^63-1. arg.count otherwise.
Result<std::uint64_t> parse_event_count(std::string_view word);
// Seconds to wait: a decimal number above 0 and at most max_timeout_s. arg.seconds otherwise.
Result<double> parse_seconds(std::string_view word);

// An amount of dollars as people write it: "4", "4.5", "4.50", ".5", "4.", "$4.50". Errors:
//   amount.format    not an amount ("abc", "4.5.0", "$", "1e3", "1,000")
//   amount.decimals  more than two decimals ("0.001": money is whole cents)
//   amount.positive  zero or negative ("0", "-4")
//   amount.range     above the limit of 10^15 dollars
Result<Cents> parse_amount(std::string_view word);

}  // namespace bank::cli
