// What the codec tests (block, console, peer) share: the golden fixtures, their chain, JSON and text edits, seeded draws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "messages/block.hpp"
#include "messages/result.hpp"

namespace bank::unit {

// A fixture's one line of canonical JSON (tests/fixtures/messages/<name>.json), its trailing newline stripped.
std::string fixture(const std::string& name);

// The fixtures' genesis, built by hand apart from the ledger: the documented example's three accounts of 1000 cents.
Block genesis_block();

// The right block for `tx` on top of `prev`.
Block transfer_block(const Block& prev, Tx tx);

// The fixtures' chain: the documented example genesis, then 1 pays 2 $4.00, then 2 pays 3 $1.50.
std::vector<Block> chain();

// `j` with the value at `pointer` set to `value`.
nlohmann::json with(nlohmann::json j, const std::string& pointer, nlohmann::json value);

// `j` without the value at `pointer`.
nlohmann::json without(nlohmann::json j, const std::string& pointer);

// `text` with its first `from` replaced by `to`; `from` must occur, so no row silently stays valid.
std::string replaced(std::string text, const std::string& from, const std::string& to);

// `depth` empty arrays, each inside the one before.
std::string nested_arrays(std::size_t depth);

// `n` seeded edits of `text`, each one change: a byte replaced, bytes dropped, a byte put
// in, or a run repeated, with bytes that matter to JSON (digits, signs, quotes, brackets,
// a NUL, a byte beyond ASCII).
std::vector<std::string> random_edits(const std::string& text, std::mt19937_64& rng, int n);

// A decoder's fast path and its reference (through nlohmann) on one input: both accept it
// and read the same, or both refuse it with the same error id. True when accepted.
template <class T>
bool read_alike(const Result<T>& fast, const Result<T>& slow) {
  REQUIRE(fast.ok() == slow.ok());
  if (!fast.ok()) {
    CHECK(fast.error().id == slow.error().id);
    return false;
  }
  CHECK(*fast == *slow);
  return true;
}

// A decoder's answer to a row of a malformed table: refused, with error `id` and a message.
template <class T>
void check_refused(const Result<T>& decoded, const char* id) {
  if (decoded.ok()) {
    FAIL_CHECK("accepted");
    return;
  }
  CHECK(decoded.error().id == id);
  CHECK_FALSE(decoded.error().message.empty());
}

// Deterministic draws (plain modulo, so every standard library gives the same sequence).
struct Draw {
  std::mt19937_64 rng;
  std::uint64_t below(std::uint64_t n);
  // Edges often, else a value of random bit width, so small and huge both show up.
  std::uint64_t u64(std::uint64_t max);
  NodeId node();
  std::string hex();
  std::string txid();
  // A genesis (one time in four) or a transfer block, every field drawn but the hash, which is left to the caller.
  Block unhashed_block();
};

}  // namespace bank::unit
