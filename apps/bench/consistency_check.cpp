// ConsistencyCheck: status, verify and balance requests to every node, compared.
#include "apps/bench/consistency_check.hpp"

#include <map>
#include <optional>
#include <thread>

#include "apps/bench/grouped.hpp"
#include "apps/bench/stop_signal.hpp"

namespace bank::bench {

namespace {
using std::chrono::milliseconds;

// The reply of the kind asked for, or nullptr (a refusal, or no reply).
template <class Reply>
const Reply* answer(const Result<ConsoleReply>& r) {
  return r ? std::get_if<Reply>(&*r) : nullptr;
}

std::string reply_text(const Result<ConsoleReply>& r) {
  if (r) return console_reply_text(*r);
  return r.error().id == ConsoleClient::kNoAnswer ? "no reply" : r.error().message;
}
}  // namespace

std::vector<CheckResult> ConsistencyCheck::run(long long committed, long long unanswered, milliseconds bound) {
  std::vector<CheckResult> out;
  out.push_back(same_height(bound));
  out.push_back(same_head());
  out.push_back(verify());
  out.push_back(balances());
  out.push_back(height_matches(committed, unanswered));
  return out;
}

// Polls status until every node reports the same height; the heads of that round are kept.
CheckResult ConsistencyCheck::same_height(milliseconds bound) {
  auto round = cluster_.wait_same_height(bound);
  for (const auto& [id, status] : round.replies) height_ = std::max(height_, status.height);
  if (static_cast<int>(round.replies.size()) != cluster_.size() || !round.agree())
    return {.name = "same height",
            .passed = false,
            .detail = "heights still differ after " + std::to_string(bound.count() / 1000) + " s:" + round.text};
  height_ = round.replies.begin()->second.height;
  heights_agree_ = true;
  for (const auto& [id, status] : round.replies) heads_.push_back(status.head);
  return {.name = "same height",
          .passed = true,
          .detail = "height " + grouped(static_cast<long long>(height_)) + " on all " + std::to_string(cluster_.size()) +
                    " nodes"};
}

// The chain is hash-linked: one head hash at one height means one chain.
CheckResult ConsistencyCheck::same_head() {
  if (!heights_agree_) return {.name = "same head", .passed = false, .detail = "not compared: the heights differ"};
  std::string detail;
  bool same = true;
  for (std::size_t i = 0; i < heads_.size(); ++i) {
    same = same && heads_[i] == heads_.front();
    detail += (i ? " " : "") + std::string("node ") + std::to_string(i + 1) + ": " + heads_[i].substr(0, 12);
  }
  if (same)
    return {.name = "same head", .passed = true, .detail = "head " + heads_.front().substr(0, 16) + " on all nodes"};
  return {.name = "same head",
          .passed = false,
          .detail = "heads differ at height " + std::to_string(height_) + ": " + detail};
}

// Each node re-checks its whole chain; that can take a while on a long chain.
CheckResult ConsistencyCheck::verify() {
  std::string bad;
  for (int id = 1; id <= cluster_.size(); ++id) {
    auto v = cluster_.ask(id, VerifyCmd{}, std::chrono::seconds(60));
    const auto* verified = answer<VerifyReply>(v);
    if (!verified || verified->height != height_) bad += " node " + std::to_string(id) + ": " + reply_text(v);
  }
  if (bad.empty())
    return {.name = "verify",
            .passed = true,
            .detail = "every node verified its chain at height " + std::to_string(height_)};
  return {.name = "verify", .passed = false, .detail = "expected ok at height " + std::to_string(height_) + ";" + bad};
}

CheckResult ConsistencyCheck::balances() {
  const long long expected = static_cast<long long>(cluster_.size()) * cluster_.spec().initial_balance;
  std::optional<Balances> first;
  std::string bad;
  auto text = [](const Balances& b) { return console_reply_to_json(BalancesReply{.balances = b})["balances"].dump(); };
  for (int id = 1; id <= cluster_.size(); ++id) {
    auto b = cluster_.ask(id, BalanceCmd{}, std::chrono::seconds(5));
    const auto* reply = answer<BalancesReply>(b);
    if (!reply) {
      bad += " node " + std::to_string(id) + ": " + reply_text(b) + ";";
      continue;
    }
    const auto& table = reply->balances;
    long long sum = 0;
    for (const auto& [account, cents] : table) sum += cents;
    if (static_cast<int>(table.size()) != cluster_.size())
      bad += " node " + std::to_string(id) + " has " + std::to_string(table.size()) + " accounts;";
    if (sum != expected)
      bad += " node " + std::to_string(id) + "'s balances add up to " + std::to_string(sum) + " cents, not " +
             std::to_string(expected) + ";";
    if (!first)
      first = table;
    else if (table != *first)
      bad +=
          " node " + std::to_string(id) + "'s balances " + text(table) + " differ from node 1's " + text(*first) + ";";
  }
  if (bad.empty())
    return {.name = "balances",
            .passed = true,
            .detail = "identical on all nodes, sum " + grouped(expected) +
                      " cents = " + std::to_string(cluster_.size()) + " x initial balance"};
  return {.name = "balances", .passed = false, .detail = bad.substr(1, bad.size() - 2)};
}

// Every committed reply is one block; an unanswered transfer may have committed unseen.
CheckResult ConsistencyCheck::height_matches(long long committed, long long unanswered) const {
  auto h = static_cast<long long>(height_);
  std::string figures = "height " + grouped(h) + ", committed replies " + grouped(committed);
  if (unanswered > 0) figures += ", unanswered " + grouped(unanswered);
  if (h == committed) return {.name = "height = commits", .passed = true, .detail = figures};
  if (h > committed && h <= committed + unanswered)
    return {.name = "height = commits",
            .passed = true,
            .detail = figures + " (the difference is transfers whose reply never came)"};
  return {.name = "height = commits",
          .passed = false,
          .detail =
              figures + (h < committed ? ": committed replies missing from the chain" : ": blocks nobody was told of")};
}

}  // namespace bank::bench
