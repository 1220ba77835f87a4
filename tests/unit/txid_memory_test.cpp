// TxidMemory: committed txids recalled as the blocks that may hold them, aborted ones with their reason, in bounded memory.
#include "actors/bank/txid_memory.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "messages/abort_record.hpp"

using namespace bank;
using Indexes = std::vector<std::uint64_t>;

TEST_CASE("txid memory: an empty memory knows nothing") {
  TxidMemory m;
  CHECK(m.size() == 0);
  CHECK_FALSE(m.maybe_decided("1-1"));
  CHECK(m.candidates("1-1").empty());
  CHECK_FALSE(m.abort_reason("1-1"));
}

TEST_CASE("txid memory: a committed txid names its block, an aborted one its reason") {
  TxidMemory m;
  m.committed("1-1", 4);
  m.aborted("mine-7", "account 1 holds 5 cents, less than the 9 cents asked");
  CHECK(m.size() == 2);
  CHECK(m.candidates("1-1") == Indexes{4});
  CHECK(m.maybe_decided("1-1"));
  CHECK_FALSE(m.abort_reason("1-1"));
  CHECK(m.abort_reason("mine-7") == std::optional<std::string>{"account 1 holds 5 cents, less than the 9 cents asked"});
  CHECK(m.maybe_decided("mine-7"));
  CHECK(m.candidates("mine-7").empty());
}

TEST_CASE("txid memory: txids are kept apart exactly as given, and a repeat names its block once") {
  TxidMemory m;
  m.committed("a", 1);
  m.committed("b", 2);
  m.aborted("c", "no funds");
  CHECK(m.candidates("a") == Indexes{1});
  CHECK(m.candidates("b") == Indexes{2});
  CHECK_FALSE(m.maybe_decided("A"));  // case matters
  CHECK_FALSE(m.maybe_decided("a "));
  m.committed("a", 1);
  CHECK(m.candidates("a") == Indexes{1});
}

TEST_CASE("txid memory: txids that share a key all come back as candidates, oldest first") {
  TxidMemory m([](std::string_view txid) { return std::uint64_t{txid.size()}; });  // "ab" and "cd" collide
  m.committed("cd", 9);
  m.committed("ab", 3);
  m.committed("xyz", 5);
  CHECK(m.candidates("ab") == Indexes{3, 9});
  CHECK(m.candidates("zz") == Indexes{3, 9});  // never committed, but shares the key: the ledger tells
  CHECK(m.candidates("xyz") == Indexes{5});
  CHECK(m.candidates("q").empty());
}

TEST_CASE("txid memory: one key shared across the sorted and the recent part comes back whole, in index order") {
  TxidMemory m([](std::string_view txid) { return txid.starts_with("same") ? std::uint64_t{7} : std::uint64_t{txid.size()} + 100; });
  Indexes expected;
  for (std::uint64_t i = 1; i <= 1500; ++i) {  // a merge after 1,024, the rest recent
    m.committed(i % 3 == 0 ? "same-" + std::to_string(i) : "other-" + std::to_string(i), 3000 - i);
    if (i % 3 == 0) expected.push_back(3000 - i);
  }
  std::sort(expected.begin(), expected.end());
  CHECK(m.candidates("same-x") == expected);
  CHECK(m.maybe_decided("same-x"));
  CHECK_FALSE(m.maybe_decided("q"));
}

TEST_CASE("txid memory: many commits, sorted and unsorted parts, each found with its own index") {
  TxidMemory m;
  const std::uint64_t n = 5000;  // several merges of the recent part
  for (std::uint64_t i = 1; i <= n; ++i) m.committed("1-" + std::to_string(i), i * 2);
  CHECK(m.size() == n);
  for (std::uint64_t i = 1; i <= n; ++i) {
    auto c = m.candidates("1-" + std::to_string(i));
    REQUIRE(std::find(c.begin(), c.end(), i * 2) != c.end());
    REQUIRE(m.maybe_decided("1-" + std::to_string(i)));
  }
  CHECK_FALSE(m.maybe_decided("1-" + std::to_string(n + 1)));
  CHECK(m.candidates("1-0").empty());
  CHECK(m.candidates("1-" + std::to_string(n + 1)).empty());
}

TEST_CASE("txid memory: 20,000 aborts keep only the newest, and an aged-out txid is no longer decided") {
  TxidMemory m;
  m.committed("1-1", 4);
  for (int i = 0; i < 20000; ++i) m.aborted("a-" + std::to_string(i), "too poor");
  CHECK(m.size() == 1 + max_kept_aborts);
  const std::string newest = "a-19999", oldest_kept = "a-" + std::to_string(20000 - max_kept_aborts),
                    aged_out = "a-" + std::to_string(20000 - max_kept_aborts - 1);
  CHECK(m.abort_reason(newest) == std::optional<std::string>{"too poor"});
  CHECK(m.abort_reason(oldest_kept));
  CHECK_FALSE(m.abort_reason(aged_out));
  CHECK_FALSE(m.maybe_decided(aged_out));
  CHECK_FALSE(m.maybe_decided("a-0"));
  CHECK(m.candidates("1-1") == Indexes{4});  // commits are not aborts: never aged out
  // The same txid recorded again is one entry, and does not push another out.
  m.aborted(newest, "still too poor");
  CHECK(m.size() == 1 + max_kept_aborts);
  CHECK(m.abort_reason(oldest_kept));
  CHECK(m.abort_reason(newest) == std::optional<std::string>{"still too poor"});
}
