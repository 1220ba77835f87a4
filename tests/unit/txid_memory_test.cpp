// TxidMemory: decided transfers recalled by txid with the very reply they got, undecided ones unknown.
#include "actors/bank/txid_memory.hpp"

#include <doctest/doctest.h>

#include <string>

#include "actors/ledger/chain.hpp"

using namespace bank;

namespace {

Block committed_block(const std::string& txid, Cents amount) {
  Chain c(Chain::make_genesis({{1, 1000}, {2, 1000}}));
  return c.next_block(Tx{txid, 1, 2, amount, 3});
}

}  // namespace

TEST_CASE("txid memory: an empty memory recalls nothing") {
  TxidMemory m;
  CHECK(m.size() == 0);
  CHECK_FALSE(m.contains("1-1"));
  CHECK_FALSE(m.recall("1-1"));
}

TEST_CASE("txid memory: a committed transfer is recalled as the committed reply with its block") {
  TxidMemory m;
  Block b = committed_block("1-1", 400);
  m.committed(b);
  CHECK(m.contains("1-1"));
  CHECK(m.size() == 1);
  auto r = m.recall("1-1");
  REQUIRE(r);
  REQUIRE(std::holds_alternative<TransferDone>(*r));
  CHECK(std::get<TransferDone>(*r).txid == "1-1");
  CHECK(std::get<TransferDone>(*r).block == b);
  CHECK(console_reply_to_json(*r) ==
        nlohmann::json{{"ok", true}, {"status", "committed"}, {"txid", "1-1"}, {"block", block_to_json(b)}});
  CHECK_FALSE(m.recall("1-2"));
}

TEST_CASE("txid memory: an aborted transfer is recalled as the aborted reply with its reason") {
  TxidMemory m;
  m.aborted("mine-7", "account 1 holds 5 cents, less than the 9 cents asked");
  auto r = m.recall("mine-7");
  REQUIRE(r);
  REQUIRE(std::holds_alternative<FailureReply>(*r));
  const auto& f = std::get<FailureReply>(*r);
  CHECK(f.status == "aborted");
  CHECK(f.error == "account 1 holds 5 cents, less than the 9 cents asked");
  CHECK(f.txid == std::optional<std::string>{"mine-7"});
}

TEST_CASE("txid memory: outcomes are kept apart by txid, exactly as given") {
  TxidMemory m;
  Block b1 = committed_block("a", 1);
  Block b2 = committed_block("b", 2);
  m.committed(b1);
  m.committed(b2);
  m.aborted("c", "no funds");
  CHECK(m.size() == 3);
  CHECK(std::get<TransferDone>(*m.recall("a")).block == b1);
  CHECK(std::get<TransferDone>(*m.recall("b")).block == b2);
  CHECK(std::get<FailureReply>(*m.recall("c")).status == "aborted");
  CHECK_FALSE(m.contains("A"));  // case matters
  CHECK_FALSE(m.contains("a "));

  // Remembering the same outcome again keeps one entry.
  m.committed(b1);
  CHECK(m.size() == 3);
  CHECK(std::get<TransferDone>(*m.recall("a")).block == b1);
}
