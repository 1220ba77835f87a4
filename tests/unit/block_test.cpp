// Blocks (docs/file-formats.md#blocks): golden JSON both ways, hashes a Python script agrees with, strict decoding.
#include "messages/block.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "actors/ledger/block_hash.hpp"
#include "message_fixtures.hpp"
#include "messages/json/json_reader.hpp"

using bank::Balances;
using bank::Block;
using bank::Tx;
using bank::unit::check_refused;
using bank::unit::fixture;
using bank::unit::genesis_block;
using bank::unit::transfer_block;
using bank::unit::with;
using bank::unit::without;
using nlohmann::json;

namespace {

// What `python3 -c 'import json,hashlib; ...sha256(json.dumps(b,sort_keys=True,separators=(",",":")))'`
// prints for the example genesis and first transfer that docs/file-formats.md#blocks shows.
const std::string kPythonGenesisHash = "02d2d2dec831d829585ad173b8c6414cd139e12bb0d92cd0a924b675a0d6dff8";
const std::string kPythonTransferHash = "5d27d54debba0f13e41b7c94892b7339733140242eb3c30bd499ab07f5197b70";

// The transfer fixture as a JSON value, for the malformed table to edit.
json transfer_json() { return json::parse(fixture("block_transfer")); }
json genesis_json() { return json::parse(fixture("block_genesis")); }

// Seeded blocks; half of them carry their right hash, half a drawn one.
struct BlockDraw : bank::unit::Draw {
  Block block() {
    Block b = unhashed_block();
    b.hash = below(2) ? bank::block_hash(b) : hex();
    return b;
  }
};

}  // namespace

TEST_CASE("block: the genesis and transfer fixtures decode to their blocks and encode to the same text") {
  const Block genesis = genesis_block();
  const Block transfer = transfer_block(genesis, Tx{"1-1", 1, 2, 400, 7});
  struct Row {
    const char* fixture;
    Block block;
  };
  for (const Row& row : std::vector<Row>{{"block_genesis", genesis}, {"block_transfer", transfer}}) {
    INFO("fixture " << row.fixture);
    const std::string text = fixture(row.fixture);
    auto decoded = bank::block_from_json(json::parse(text));
    REQUIRE_MESSAGE(decoded.ok(), decoded.error().id << ": " << decoded.error().message);
    CHECK(*decoded == row.block);
    CHECK(bank::block_to_json(row.block).dump() == text);
    CHECK(bank::block_hash(*decoded) == decoded->hash);
  }
}

TEST_CASE("block: block_hash equals an independent Python SHA-256 of the canonical JSON") {
  const Block genesis = genesis_block();
  const Block transfer = transfer_block(genesis, Tx{"1-1", 1, 2, 400, 7});
  CHECK(bank::canonical_json(genesis) ==
        R"({"genesis":{"balances":{"1":1000,"2":1000,"3":1000}},"index":0,"prev":")" + std::string(64, '0') + R"("})");
  CHECK(bank::canonical_json(transfer) == R"({"index":1,"prev":")" + kPythonGenesisHash +
                                              R"(","tx":{"amount":400,"from":1,"lamport":7,"to":2,"txid":"1-1"}})");
  CHECK(genesis.hash == kPythonGenesisHash);
  CHECK(transfer.hash == kPythonTransferHash);
  // sha256 itself, against the FIPS 180-2 test vector for "abc".
  CHECK(bank::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("block: the hash covers every field but itself") {
  const Block genesis = genesis_block();
  const Block base = transfer_block(genesis, Tx{"1-1", 1, 2, 400, 7});
  struct Row {
    const char* change;
    void (*apply)(Block&);
  };
  const std::vector<Row> rows{
      {"index", [](Block& b) { b.index += 1; }},
      {"prev", [](Block& b) { b.prev[0] = b.prev[0] == 'a' ? 'b' : 'a'; }},
      {"txid", [](Block& b) { b.tx->txid = "1-2"; }},
      {"from", [](Block& b) { b.tx->from = 3; }},
      {"to", [](Block& b) { b.tx->to = 3; }},
      {"amount", [](Block& b) { b.tx->amount = 401; }},
      {"lamport", [](Block& b) { b.tx->lamport = 8; }},
      {"tx becomes genesis", [](Block& b) {
         b.tx.reset();
         b.genesis = Balances{{1, 1000}};
       }},
  };
  for (const Row& row : rows) {
    INFO("changed " << row.change);
    Block b = base;
    row.apply(b);
    CHECK(bank::block_hash(b) != base.hash);
  }
  Block rehashed = base;
  rehashed.hash = std::string(64, 'f');
  CHECK(bank::block_hash(rehashed) == base.hash);

  Block g = genesis;
  g.genesis->at(3) = 1001;
  CHECK(bank::block_hash(g) != genesis.hash);
  g = genesis;
  g.genesis->emplace(4, 0);
  CHECK(bank::block_hash(g) != genesis.hash);
}

TEST_CASE("block: canonical JSON is the block without its hash field") {
  const Block genesis = genesis_block();
  const Block transfer = transfer_block(genesis, Tx{"1-1", 1, 2, 400, 7});
  for (const Block& b : {genesis, transfer}) {
    json full = bank::block_to_json(b);
    REQUIRE(full.contains("hash"));
    full.erase("hash");
    CHECK(bank::block_to_json(b, true) == full);
    CHECK(bank::canonical_json(b) == full.dump());
  }
}

TEST_CASE("block: the extremes of every field are accepted") {
  const std::string all_printable = [] {
    std::string s;
    for (char c = 0x21; c <= 0x7e && s.size() < 64; ++c) s += c;
    return s;
  }();
  struct Row {
    const char* name;
    json block;
  };
  const std::vector<Row> rows{
      {"index 2^64-1", with(transfer_json(), "/index", UINT64_MAX)},
      {"amount 2^63-1", with(transfer_json(), "/tx/amount", INT64_MAX)},
      {"amount 1 cent", with(transfer_json(), "/tx/amount", 1)},
      {"from and to the largest id", with(with(transfer_json(), "/tx/from", INT32_MAX), "/tx/to", INT32_MAX)},
      {"lamport 2^64-1", with(transfer_json(), "/tx/lamport", UINT64_MAX)},
      {"txid of 64 printable characters, quotes and backslash too", with(transfer_json(), "/tx/txid", all_printable)},
      {"txid of one character", with(transfer_json(), "/tx/txid", "x")},
      {"opening balance 0", with(genesis_json(), "/genesis/balances/2", 0)},
      {"opening balance 2^63-1", with(genesis_json(), "/genesis/balances/2", INT64_MAX)},
      {"one account of the largest id", with(genesis_json(), "/genesis/balances", json{{"2147483647", 5}})},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    auto b = bank::block_from_json(row.block);
    REQUIRE_MESSAGE(b.ok(), b.error().id << ": " << b.error().message);
    CHECK(bank::block_to_json(*b) == row.block);
  }
}

TEST_CASE("block: malformed blocks are refused with their error id") {
  const std::string hash = std::string(64, 'a');
  struct Row {
    const char* name;
    json block;
    const char* id;
  };
  const std::vector<Row> rows{
      {"an array", json::array({transfer_json()}), "codec.not_object"},
      {"a string", "block", "codec.not_object"},
      {"null", nullptr, "codec.not_object"},
      {"no index", without(transfer_json(), "/index"), "codec.missing_field"},
      {"index as a string", with(transfer_json(), "/index", "1"), "codec.type"},
      {"index -1", with(transfer_json(), "/index", -1), "codec.range"},
      {"index 1.5", with(transfer_json(), "/index", 1.5), "codec.type"},
      {"index 2^64 (JSON has it as a float)", with(transfer_json(), "/index", json::parse("18446744073709551616")),
       "codec.type"},
      {"no prev", without(transfer_json(), "/prev"), "codec.missing_field"},
      {"prev in uppercase hex", with(transfer_json(), "/prev", std::string(64, 'A')), "codec.bad_hex"},
      {"prev of 63 digits", with(transfer_json(), "/prev", std::string(63, 'a')), "codec.bad_hex"},
      {"prev with a non-hex letter", with(transfer_json(), "/prev", std::string(63, 'a') + "g"), "codec.bad_hex"},
      {"prev as a number", with(transfer_json(), "/prev", 0), "codec.type"},
      {"no hash", without(transfer_json(), "/hash"), "codec.missing_field"},
      {"empty hash", with(transfer_json(), "/hash", ""), "codec.bad_hex"},
      {"both genesis and tx", with(transfer_json(), "/genesis", genesis_json()["genesis"]), "codec.block_kind"},
      {"neither genesis nor tx", without(transfer_json(), "/tx"), "codec.block_kind"},
      {"an unknown field", with(transfer_json(), "/signature", hash), "codec.unknown_field"},
      {"genesis as an array", with(genesis_json(), "/genesis", json::array()), "codec.type"},
      {"genesis without balances", with(genesis_json(), "/genesis", json::object()), "codec.missing_field"},
      {"genesis with an unknown field", with(genesis_json(), "/genesis/note", "hi"), "codec.unknown_field"},
      {"balances as an array", with(genesis_json(), "/genesis/balances", json::array({1000})), "codec.type"},
      {"no balances at all", with(genesis_json(), "/genesis/balances", json::object()), "codec.range"},
      {"account 0", with(genesis_json(), "/genesis/balances/0", 5), "codec.range"},
      {"account with a leading zero", with(genesis_json(), "/genesis/balances/01", 5), "codec.range"},
      {"account not a number", with(genesis_json(), "/genesis/balances/x", 5), "codec.range"},
      {"account -1", with(genesis_json(), "/genesis/balances/-1", 5), "codec.range"},
      {"account 2^31", with(genesis_json(), "/genesis/balances/2147483648", 5), "codec.range"},
      {"negative opening balance", with(genesis_json(), "/genesis/balances/2", -5), "codec.range"},
      {"opening balance 10.5", with(genesis_json(), "/genesis/balances/2", 10.5), "codec.range"},
      {"opening balance as a string", with(genesis_json(), "/genesis/balances/2", "1000"), "codec.range"},
      {"opening balance 2^63", with(genesis_json(), "/genesis/balances/2", std::uint64_t{1} << 63), "codec.range"},
      {"tx as an array", with(transfer_json(), "/tx", json::array()), "codec.type"},
      {"tx with an unknown field", with(transfer_json(), "/tx/sig", "00"), "codec.unknown_field"},
      {"tx without lamport", without(transfer_json(), "/tx/lamport"), "codec.missing_field"},
      {"tx without txid", without(transfer_json(), "/tx/txid"), "codec.missing_field"},
      {"amount 0", with(transfer_json(), "/tx/amount", 0), "codec.range"},
      {"amount -400", with(transfer_json(), "/tx/amount", -400), "codec.range"},
      {"amount 4.5", with(transfer_json(), "/tx/amount", 4.5), "codec.type"},
      {"amount 2^63", with(transfer_json(), "/tx/amount", std::uint64_t{1} << 63), "codec.range"},
      {"from node 0", with(transfer_json(), "/tx/from", 0), "codec.range"},
      {"to as a string", with(transfer_json(), "/tx/to", "2"), "codec.type"},
      {"lamport -1", with(transfer_json(), "/tx/lamport", -1), "codec.range"},
      {"txid of 65 characters", with(transfer_json(), "/tx/txid", std::string(65, 'x')), "codec.bad_txid"},
      {"empty txid", with(transfer_json(), "/tx/txid", ""), "codec.bad_txid"},
      {"txid with a space", with(transfer_json(), "/tx/txid", "1 1"), "codec.bad_txid"},
      {"txid with a non-ASCII letter", with(transfer_json(), "/tx/txid", "1-\xc3\xa9"), "codec.bad_txid"},
      {"txid with a control character", with(transfer_json(), "/tx/txid", "1-1\n"), "codec.bad_txid"},
      {"txid as a number", with(transfer_json(), "/tx/txid", 11), "codec.type"},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.name) << ": " << row.block.dump());
    check_refused(bank::block_from_json(row.block), row.id);
  }
}

TEST_CASE("block: a few hundred random blocks survive encode then decode, hash included") {
  BlockDraw draw{{std::mt19937_64{20261126}}};
  for (int i = 0; i < 300; ++i) {
    const Block b = draw.block();
    const std::string text = bank::block_to_json(b).dump();
    INFO("block " << i << ": " << text);
    auto back = bank::block_from_json(json::parse(text));
    REQUIRE_MESSAGE(back.ok(), back.error().id << ": " << back.error().message);
    CHECK(*back == b);
    CHECK(bank::block_hash(*back) == bank::block_hash(b));
  }
}

// decode_block reads plain lines in place and leaves the rest to nlohmann; the two must
// agree on every input: accepted by both and read the same, or refused by both.
TEST_CASE("block: lines read in place decode exactly as through nlohmann, edited or not") {
  auto through_nlohmann = [](const std::string& text) {
    auto j = bank::JsonReader::try_parse(text, 4096);
    return j ? bank::block_from_json(*j) : bank::Result<Block>(j.error());
  };
  BlockDraw draw{{std::mt19937_64{0xb10c}}};
  std::mt19937_64 rng{0xed17};
  std::size_t accepted = 0;
  for (int i = 0; i < 300; ++i) {
    const Block b = draw.block();
    const std::string text = bank::block_text(b);
    std::vector<std::string> inputs{text, bank::block_to_json(b).dump(1)};
    for (auto& e : bank::unit::random_edits(text, rng, 40)) inputs.push_back(std::move(e));
    for (const std::string& in : inputs) {
      INFO("block " << i << ": " << in);
      if (bank::unit::read_alike(bank::decode_block(in, 4096), through_nlohmann(in))) ++accepted;
    }
  }
  CHECK(accepted > 600);
}

TEST_CASE("block: block_text writes exactly what nlohmann's dump of block_to_json prints") {
  // Every ASCII character in a txid, quote, backslash and control characters included (the
  // codec refuses the last, but the writer must escape them as dump() does), the extremes of
  // every number, a genesis, and the seeded random blocks.
  std::string every;
  for (int c = 1; c < 0x80; ++c) every += static_cast<char>(c);
  std::vector<Block> blocks{genesis_block()};
  for (std::string txid : {every, std::string("\"\\\"\\\\"), std::string(64, '~')}) {
    Block b = transfer_block(genesis_block(), Tx{txid, 2147483647, 1, INT64_MAX, UINT64_MAX});
    b.index = UINT64_MAX;
    blocks.push_back(b);
  }
  BlockDraw draw{{std::mt19937_64{7}}};
  for (int i = 0; i < 300; ++i) blocks.push_back(draw.block());
  for (const Block& b : blocks) {
    CAPTURE(bank::block_to_json(b).dump());
    CHECK(bank::block_text(b) == bank::block_to_json(b).dump());
    CHECK(bank::block_text(b, true) == bank::block_to_json(b, true).dump());
  }
}
