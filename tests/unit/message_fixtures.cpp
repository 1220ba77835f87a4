// The codec tests' shared fixtures, edits and draws (see message_fixtures.hpp).
#include "message_fixtures.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <utility>

#include "actors/ledger/block_hash.hpp"

namespace bank::unit {

using nlohmann::json;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(FIXTURES_DIR) + "/messages/" + name + ".json", std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  REQUIRE_MESSAGE((!text.empty() && text.back() == '\n'), "fixture " << name << " must end in a newline");
  text.pop_back();
  REQUIRE_MESSAGE(text.find('\n') == std::string::npos, "fixture " << name << " must be one line");
  return text;
}

Block genesis_block() {
  Block b;
  b.prev = zero_hash;
  b.genesis = Balances{{1, 1000}, {2, 1000}, {3, 1000}};
  b.hash = block_hash(b);
  return b;
}

Block transfer_block(const Block& prev, Tx tx) {
  Block b;
  b.index = prev.index + 1;
  b.prev = prev.hash;
  b.tx = std::move(tx);
  b.hash = block_hash(b);
  return b;
}

std::vector<Block> chain() {
  std::vector<Block> out{genesis_block()};
  for (const Tx& tx : {Tx{"1-1", 1, 2, 400, 7}, Tx{"2-1", 2, 3, 150, 9}}) out.push_back(transfer_block(out.back(), tx));
  return out;
}

json with(json j, const std::string& pointer, json value) {
  j[json::json_pointer(pointer)] = std::move(value);
  return j;
}

json without(json j, const std::string& pointer) {
  json::json_pointer p(pointer);
  j[p.parent_pointer()].erase(p.back());
  return j;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "no '" << from << "' in " << text);
  return text.replace(at, from.size(), to);
}

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::uint64_t Draw::below(std::uint64_t n) { return rng() % n; }

std::uint64_t Draw::u64(std::uint64_t max) {
  switch (below(8)) {
    case 0: return 0;
    case 1: return max;
    default: {
      std::uint64_t x = rng() >> below(64);
      return max == UINT64_MAX ? x : x % (max + 1);
    }
  }
}

NodeId Draw::node() { return static_cast<NodeId>(1 + u64(INT32_MAX - 1)); }

std::string Draw::hex() {
  std::string s(64, '0');
  for (char& c : s) c = "0123456789abcdef"[below(16)];
  return s;
}

std::string Draw::txid() {
  std::string s(1 + below(64), '!');
  for (char& c : s) c = static_cast<char>(0x21 + below(0x7e - 0x21 + 1));
  return s;
}

Block Draw::unhashed_block() {
  Block b;
  b.index = u64(UINT64_MAX);
  b.prev = hex();
  if (below(4) == 0) {
    Balances balances;
    for (auto n = 1 + below(5); n > 0; --n) balances[node()] = static_cast<Cents>(u64(INT64_MAX));
    b.genesis = balances;
  } else {
    b.tx = Tx{txid(), node(), node(), static_cast<Cents>(1 + u64(INT64_MAX - 1)), u64(UINT64_MAX)};
  }
  return b;
}

std::vector<std::string> random_edits(const std::string& text, std::mt19937_64& rng, int n) {
  const std::string alphabet = std::string("0159-+.eE\"\\ \n\t{}[],:azf") + '\0' + '\x7f' + '\xff';
  std::vector<std::string> out;
  for (int k = 0; k < n; ++k) {
    std::string bad = text;
    std::size_t at = rng() % bad.size();
    switch (rng() % 4) {
      case 0: bad[at] = alphabet[rng() % alphabet.size()]; break;
      case 1: bad.erase(at, 1 + rng() % 3); break;
      case 2: bad.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      default: bad.insert(at, bad.substr(at, 1 + rng() % 40)); break;
    }
    out.push_back(bad);
  }
  return out;
}

}  // namespace bank::unit
