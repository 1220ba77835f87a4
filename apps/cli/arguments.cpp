// Typed words for bank-cli: strict digits (no signs, spaces or hex), bounded ranges, and
// dollar amounts read leniently in form but exactly in value.
#include "apps/cli/arguments.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <cstdint>
#include <string>

#include "config/cluster_config.hpp"

namespace bank::cli {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// A word as it appears in a message: quoted, and cut short when someone pasted a novel.
std::string quoted(std::string_view word) {
  constexpr std::size_t kShown = 40;
  return "'" + std::string(word.substr(0, kShown)) + (word.size() > kShown ? "...'" : "'");
}

// Digits in [low, high]; nullopt for anything else (overflow included).
std::optional<std::uint64_t> bounded_digits(std::string_view word, std::uint64_t low, std::uint64_t high) {
  if (!all_digits(word)) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc{} || end != word.data() + word.size() || value < low || value > high) return std::nullopt;
  return value;
}

constexpr std::uint64_t kMaxNodeId = 0x7fff'ffff;
constexpr std::uint64_t kMaxIndex = INT64_MAX;

}  // namespace

Result<NodeId> parse_node_id(std::string_view word) {
  auto id = bounded_digits(word, 1, kMaxNodeId);
  if (!id) return make_error("arg.node_id", quoted(word) + " is not a node id (a whole number from 1)");
  return static_cast<NodeId>(*id);
}

Result<std::uint64_t> parse_block_index(std::string_view word) {
  auto index = bounded_digits(word, 0, kMaxIndex);
  if (!index) return make_error("arg.index", quoted(word) + " is not a block index (a whole number from 0)");
  return *index;
}

Result<std::uint64_t> parse_count(std::string_view word) {
  auto count = bounded_digits(word, 1, kMaxIndex);
  if (!count) return make_error("arg.count", quoted(word) + " is not a number of blocks (a whole number from 1)");
  return *count;
}

Result<std::uint64_t> parse_event_number(std::string_view word) {
  auto n = bounded_digits(word, 0, kMaxIndex);
  if (!n) return make_error("arg.event", quoted(word) + " is not an event number (a whole number from 0)");
  return *n;
}

Result<std::uint64_t> parse_event_count(std::string_view word) {
  auto count = bounded_digits(word, 1, kMaxIndex);
  if (!count) return make_error("arg.count", quoted(word) + " is not a number of events (a whole number from 1)");
  return *count;
}

Result<double> parse_seconds(std::string_view word) {
  const auto refuse = [&] {
    return make_error("arg.seconds", quoted(word) + " is not a number of seconds above 0 and at most " +
                                         std::to_string(static_cast<long>(max_timeout_s)) + " (like 10 or 0.5)");
  };
  // Digits with at most one '.', at least one digit: no signs, exponents, inf or nan.
  const auto dot = std::count(word.begin(), word.end(), '.');
  const auto digits = std::count_if(word.begin(), word.end(), is_digit);
  if (digits == 0 || dot > 1 || digits + dot != static_cast<long>(word.size())) return refuse();
  double seconds = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), seconds);
  if (ec != std::errc{} || end != word.data() + word.size() || !(seconds > 0) || seconds > max_timeout_s)
    return refuse();
  return seconds;
}

Result<Cents> parse_amount(std::string_view word) {
  const std::string shown = quoted(word);
  const auto format_error = [&] {
    return make_error("amount.format", shown + " is not an amount of dollars (like 4, 4.50, .5 or $4.50)");
  };
  std::string_view text = word;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  if (!text.empty() && text[0] == '$') text.remove_prefix(1);
  const auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if ((whole.empty() && fraction.empty()) || (!whole.empty() && !all_digits(whole)) ||
      (!fraction.empty() && !all_digits(fraction)))
    return format_error();
  if (fraction.size() > 2)
    return make_error("amount.decimals", shown + ": at most 2 decimals (an amount is dollars and cents)");
  // The canonical form ("04." -> "4", ".5" -> "0.5") for the one exact reader of dollars.
  whole.remove_prefix(std::min(whole.find_first_not_of('0'), whole.size()));
  std::string canonical = whole.empty() ? "0" : std::string(whole);
  if (!fraction.empty()) canonical += "." + std::string(fraction);
  auto cents = parse_dollars(canonical);
  if (!cents) {
    if (cents.error().id == "money.range")
      return make_error("amount.range", shown + " is more than the limit of $1,000,000,000,000,000");
    return format_error();
  }
  if (negative || *cents == 0)
    return make_error("amount.positive", shown + " is not a positive amount (the least is $0.01)");
  return *cents;
}

}  // namespace bank::cli
