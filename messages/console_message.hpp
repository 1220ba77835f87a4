// The console protocol (docs/console-protocol.md): requests a REQ client sends, replies a
// node answers, one JSON object each way. Decoding checks syntax and types; the bank core
// checks meaning (known account, not oneself).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/block.hpp"
#include "messages/histogram.hpp"
#include "messages/result.hpp"
#include "messages/types.hpp"

namespace bank {

struct TransferCmd {
  NodeId to = 0;
  Cents amount = 0;
  std::optional<std::string> txid;
  bool operator==(const TransferCmd&) const = default;
};
struct BalanceCmd {
  std::optional<NodeId> id;
  bool operator==(const BalanceCmd&) const = default;
};
struct ChainCmd {
  std::uint64_t from = 0;
  std::optional<std::uint64_t> limit;
  bool operator==(const ChainCmd&) const = default;
};
struct StatusCmd {
  bool operator==(const StatusCmd&) const = default;
};
struct VerifyCmd {
  bool operator==(const VerifyCmd&) const = default;
};
struct MetricsCmd {
  bool operator==(const MetricsCmd&) const = default;
};
// The events after `since` (0: from the oldest kept), at most `limit` of them (positive; the
// node answers at most max_events_page whatever the limit, as it does chain pages).
struct EventsCmd {
  std::uint64_t since = 0;
  std::optional<std::uint64_t> limit = std::nullopt;
  bool operator==(const EventsCmd&) const = default;
};

using ConsoleRequest = std::variant<TransferCmd, BalanceCmd, ChainCmd, StatusCmd, VerifyCmd, MetricsCmd, EventsCmd>;

inline constexpr std::size_t max_console_frame = 64 * 1024;
// Blocks in one `chain` reply at most, whatever the request's `limit`: some 300 KB of
// reply, built and sent in one step of the ledger; a longer chain is read page by page.
inline constexpr std::uint64_t max_chain_page = 1000;
// Events in one `events` reply at most, whatever the request's `limit`.
inline constexpr std::uint64_t max_events_page = 1000;

Result<ConsoleRequest> decode_console_request(std::string_view bytes);
nlohmann::json console_request_to_json(const ConsoleRequest& request);

struct PeerState {
  NodeId id = 0;
  bool connected = false;
  std::string refused;  // why its link is refused (another genesis), empty when it is not
  bool operator==(const PeerState&) const = default;
};

// A peer whose chain holds another block than ours at `index` (the lowest index where the
// node saw them differ; the fork may lie lower).
struct Divergence {
  NodeId peer = 0;
  std::uint64_t index = 0;
  bool operator==(const Divergence&) const = default;
};

struct TransferDone {
  std::string txid;
  Block block;
  // The txid was decided before: this answers that earlier decision, nothing new was paid.
  bool replay = false;
  bool operator==(const TransferDone&) const = default;
};
struct BalancesReply {
  Balances balances;
  bool operator==(const BalancesReply&) const = default;
};
struct BalanceReply {
  NodeId id = 0;
  Cents balance = 0;
  bool operator==(const BalanceReply&) const = default;
};
// A page of the chain: at most max_chain_page blocks from the request's `from`; `next` is
// the index to ask from for the rest, set when the chain goes on past this page.
struct ChainReply {
  std::vector<Block> blocks;
  std::optional<std::uint64_t> next = std::nullopt;
  bool operator==(const ChainReply&) const = default;
};
struct StatusReply {
  NodeId id = 0;
  Lamport lamport = 0;
  std::uint64_t height = 0;
  std::string head;
  std::vector<Stamp> queue;
  std::vector<PeerState> peers;
  bool security_off = false;  // the config turned security off: "security":"off"
  std::vector<Divergence> diverged = {};  // written only when not empty
  bool operator==(const StatusReply&) const = default;
};
struct VerifyReply {
  std::uint64_t height = 0;
  bool operator==(const VerifyReply&) const = default;
};
// A group of figures by name (docs/console-protocol.md#metrics lists them): counters only
// rise from the node's start, gauges are values now, histograms as Histogram.
struct MetricSet {
  std::map<std::string, std::uint64_t> counters;
  std::map<std::string, std::uint64_t> gauges;
  std::map<std::string, Histogram> histograms;
  bool operator==(const MetricSet&) const = default;
};
// The node's figures, and each peer link's.
struct MetricsReply {
  NodeId node = 0;
  MetricSet metrics;
  std::map<NodeId, MetricSet> peers;
  bool operator==(const MetricsReply&) const = default;
};
// A page of the event feed: each event one JSON object as text (its log line's fields and
// "seq"), oldest first; `next` is the `since` to ask with next time, `first` the oldest seq
// the node still keeps.
struct EventsReply {
  std::vector<std::string> events;
  std::uint64_t next = 0;
  std::uint64_t first = 0;
  bool operator==(const EventsReply&) const = default;
};
// Every refusal: status is "aborted", "rejected", "timeout", "denied" or "corrupt".
struct FailureReply {
  std::string status;
  std::string error;
  std::optional<std::string> txid;
  bool operator==(const FailureReply&) const = default;
};

using ConsoleReply = std::variant<TransferDone, BalancesReply, BalanceReply, ChainReply, StatusReply, VerifyReply,
                                  FailureReply, MetricsReply, EventsReply>;

nlohmann::json console_reply_to_json(const ConsoleReply& reply);
// The reply as the text sent: console_reply_to_json(reply).dump(), with a committed
// transfer's reply (one per transfer, the hot path) written directly around block_text, and
// an events page around its events' texts as they are (each event's keys in the order of
// its log line).
std::string console_reply_text(const ConsoleReply& reply);
// A node's reply to `request`, read strictly: ok:false is a FailureReply whatever was asked;
// ok:true is the kind that answers the request (TransferDone for a transfer, BalancesReply
// for a balance without an id, BalanceReply with one, ...). A committed transfer's reply as
// console_reply_text writes it (the hot path) is read in place, anything else through
// nlohmann; both read the same. Total: a reply that does not decode is an error value.
Result<ConsoleReply> decode_console_reply(std::string_view bytes, const ConsoleRequest& request);

}  // namespace bank
