// sha256_hex, canonical_json, block_hash: checked against standard vectors and values computed independently with Python.
#include "actors/ledger/block_hash.hpp"

#include <doctest/doctest.h>

#include <string>

#include "actors/ledger/chain.hpp"

using namespace bank;

namespace {

// Expected texts and digests below come from Python:
//   json.dumps(b, sort_keys=True, separators=(",", ":")) and hashlib.sha256(...).hexdigest()
const std::string kZeros(64, '0');
const std::string kGenesisJson =
    R"({"genesis":{"balances":{"1":1000,"2":1000,"3":1000}},"index":0,"prev":")" + kZeros + R"("})";
const std::string kGenesisHash = "02d2d2dec831d829585ad173b8c6414cd139e12bb0d92cd0a924b675a0d6dff8";
const std::string kTransferJson =
    R"({"index":1,"prev":"02d2d2dec831d829585ad173b8c6414cd139e12bb0d92cd0a924b675a0d6dff8",)"
    R"("tx":{"amount":400,"from":1,"lamport":7,"to":2,"txid":"1-1"}})";
const std::string kTransferHash = "5d27d54debba0f13e41b7c94892b7339733140242eb3c30bd499ab07f5197b70";

Block genesis_block() {
  Block g;
  g.index = 0;
  g.prev = kZeros;
  g.genesis = Balances{{1, 1000}, {2, 1000}, {3, 1000}};
  return g;
}

Block transfer_block() {
  Block b;
  b.index = 1;
  b.prev = kGenesisHash;
  b.tx = Tx{"1-1", 1, 2, 400, 7};
  return b;
}

bool is_lower_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

TEST_CASE("block hash: sha256_hex matches the standard test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("block hash: canonical JSON is sorted keys, no whitespace, ASCII, without the hash field") {
  Block g = genesis_block();
  g.hash = "ff" + std::string(62, 'e');  // must not take part
  CHECK(canonical_json(g) == kGenesisJson);

  Block t = transfer_block();
  t.hash = "not a hash";
  const std::string text = canonical_json(t);
  CHECK(text == kTransferJson);
  CHECK(text.find(' ') == std::string::npos);
  CHECK(text.find('\n') == std::string::npos);
  CHECK(text.find("hash") == std::string::npos);
  for (unsigned char c : text) CHECK(c < 0x80);
}

TEST_CASE("block hash: the known genesis and transfer blocks hash to the independently computed values") {
  CHECK(block_hash(genesis_block()) == kGenesisHash);
  CHECK(block_hash(transfer_block()) == kTransferHash);
  CHECK(is_lower_hex64(block_hash(transfer_block())));

  // The hash field itself never changes the hash.
  Block t = transfer_block();
  t.hash = kTransferHash;
  CHECK(block_hash(t) == kTransferHash);

  // The chain builds exactly these blocks.
  Block g = Chain::make_genesis({{1, 1000}, {2, 1000}, {3, 1000}});
  CHECK(g.hash == kGenesisHash);
  Chain chain(g);
  Block next = chain.next_block(Tx{"1-1", 1, 2, 400, 7});
  CHECK(next.index == 1);
  CHECK(next.prev == kGenesisHash);
  CHECK(next.hash == kTransferHash);
}

TEST_CASE("block hash: numeric account keys sort as strings, as Python sorts them") {
  Block g;
  g.prev = kZeros;
  g.genesis = Balances{{2, 500}, {10, 250}};
  CHECK(canonical_json(g) == R"({"genesis":{"balances":{"10":250,"2":500}},"index":0,"prev":")" + kZeros + R"("})");
  CHECK(block_hash(g) == "47bd628670e086a741e7e29e8b52d351af746fa636a91b7a1d0c2908156be9de");
}

TEST_CASE("block hash: escaped txid characters and large integers print as Python prints them") {
  Block b;
  b.index = 7;
  for (int i = 0; i < 32; ++i) b.prev += "ab";
  b.tx = Tx{"q\"b\\s/~{}", 3, 10, 123456789012, 18446744073709551615ULL};
  CHECK(canonical_json(b) ==
        R"({"index":7,"prev":"abababababababababababababababababababababababababababababababab",)"
        R"("tx":{"amount":123456789012,"from":3,"lamport":18446744073709551615,"to":10,"txid":"q\"b\\s/~{}"}})");
  CHECK(block_hash(b) == "ab22d0bea5bc0c93408a96a5598cabe457f98f9b1b3e4986ec51c0772e9891b1");
}

TEST_CASE("block hash: every field of a transfer takes part in the hash") {
  const std::string base = block_hash(transfer_block());
  auto changed = [&](auto edit) {
    Block b = transfer_block();
    edit(b);
    return block_hash(b) != base;
  };
  CHECK(changed([](Block& b) { b.index = 2; }));
  CHECK(changed([](Block& b) { b.prev[0] = '1'; }));
  CHECK(changed([](Block& b) { b.tx->txid = "1-2"; }));
  CHECK(changed([](Block& b) { b.tx->from = 3; }));
  CHECK(changed([](Block& b) { b.tx->to = 3; }));
  CHECK(changed([](Block& b) { b.tx->amount = 401; }));
  CHECK(changed([](Block& b) { b.tx->lamport = 8; }));
}
