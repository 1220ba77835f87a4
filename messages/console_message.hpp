// The console protocol (docs/console-protocol.md): requests a REQ client sends, replies a
// node answers, one JSON object each way. Decoding checks syntax and types; the bank core
// checks meaning (known account, not oneself).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/block.hpp"
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

using ConsoleRequest = std::variant<TransferCmd, BalanceCmd, ChainCmd, StatusCmd, VerifyCmd>;

inline constexpr std::size_t max_console_frame = 64 * 1024;
// Blocks in one `chain` reply at most, whatever the request's `limit`: some 300 KB of
// reply, built and sent in one step of the ledger; a longer chain is read page by page.
inline constexpr std::uint64_t max_chain_page = 1000;

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
// Every refusal: status is "aborted", "rejected", "timeout", "denied" or "corrupt".
struct FailureReply {
  std::string status;
  std::string error;
  std::optional<std::string> txid;
  bool operator==(const FailureReply&) const = default;
};

using ConsoleReply =
    std::variant<TransferDone, BalancesReply, BalanceReply, ChainReply, StatusReply, VerifyReply, FailureReply>;

nlohmann::json console_reply_to_json(const ConsoleReply& reply);
// The reply as the text sent: console_reply_to_json(reply).dump(), with a committed
// transfer's reply (one per transfer, the hot path) written directly around block_text.
std::string console_reply_text(const ConsoleReply& reply);
// A node's reply to `request`, read strictly: ok:false is a FailureReply whatever was asked;
// ok:true is the kind that answers the request (TransferDone for a transfer, BalancesReply
// for a balance without an id, BalanceReply with one, ...). A committed transfer's reply as
// console_reply_text writes it (the hot path) is read in place, anything else through
// nlohmann; both read the same. Total: a reply that does not decode is an error value.
Result<ConsoleReply> decode_console_reply(std::string_view bytes, const ConsoleRequest& request);

}  // namespace bank
