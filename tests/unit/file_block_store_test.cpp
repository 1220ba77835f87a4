// FileBlockStore: the durable block log on disk: fresh files, reopen, torn tails cut, damage refused unchanged.
#include "actors/ledger/file_block_store.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "actors/ledger/block_hash.hpp"

using namespace bank;
namespace fs = std::filesystem;

namespace {

const Balances kOpening{{1, 1000}, {2, 1000}, {3, 1000}};

Block genesis() { return Chain::make_genesis(kOpening); }

// A fresh folder under /tmp for one test, removed with everything in it afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = "/tmp/file_block_store_test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Where line `n` (0-based) of a JSON Lines text begins.
std::size_t line_start(const std::string& text, std::size_t n) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n; ++i) pos = text.find('\n', pos) + 1;
  return pos;
}

std::set<std::string> entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// Opens a folder that must load; `own` (when given) collects the blocks open() reports as self's.
FileBlockStore::Loaded open_ok(const fs::path& dir, NodeId self = 1, bool fsync = true, const Block& g = genesis(),
                               std::vector<Block>* own = nullptr) {
  auto r = FileBlockStore::open(dir, g, fsync, [&](const Block& b) {
    if (own && b.tx->from == self) own->push_back(b);
  });
  if (!r) FAIL("open refused: ", r.error().id, ": ", r.error().message);
  return std::move(*r);
}

// Five committed transfers (three of them from node 1) and two aborts, synced.
const std::vector<Tx> kTxs{{"1-1", 1, 2, 400, 3}, {"2-1", 2, 3, 900, 5}, {"1-2", 1, 3, 100, 6},
                           {"3-1", 3, 1, 1500, 8}, {"1-3", 1, 2, 50, 9}};
const std::vector<AbortRecord> kAborts{{"2-9", "account 2 holds 500 cents, less than the 5000 cents asked"},
                                       {"1-9", "too poor"}};

void fill(Chain& chain) {
  for (const Tx& tx : kTxs) REQUIRE_FALSE(chain.append(chain.next_block(tx)));
  for (const AbortRecord& a : kAborts) chain.store().record_abort(a);
  chain.sync();
}

// A folder holding the filled chain, closed again; returns the blocks it holds.
std::vector<Block> filled_folder(const fs::path& dir) {
  auto loaded = open_ok(dir);
  fill(loaded.chain);
  return loaded.chain.range(0, 100);
}

struct Snapshot {
  std::string blocks, aborts;
  std::set<std::string> names;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const fs::path& dir) {
  Snapshot s{slurp(dir / "blocks.jsonl"), "", entries(dir)};
  if (fs::exists(dir / "aborts.jsonl")) s.aborts = slurp(dir / "aborts.jsonl");
  return s;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Opens a folder that must be refused with `id`; the files must be byte-for-byte as they were.
Error refused(const fs::path& dir, const char* id, const Block& g = genesis()) {
  const Snapshot before = snapshot(dir);
  auto r = FileBlockStore::open(dir, g, true);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().id == id);
  CHECK_FALSE(r.error().message.empty());
  CHECK(snapshot(dir) == before);
  return r.error();
}

}  // namespace

TEST_CASE("file block store: a fresh folder gets the genesis line and an empty aborts file") {
  TempDir tmp;
  const fs::path dir = tmp.path / "data" / "node-1";  // created, parents included
  const Block g = genesis();
  std::vector<Block> own;
  auto loaded = open_ok(dir, 1, true, genesis(), &own);

  // Canonical JSON: keys sorted, no whitespace, integers plain; then the newline.
  const std::string expected = R"({"genesis":{"balances":{"1":1000,"2":1000,"3":1000}},"hash":")" + g.hash +
                               R"(","index":0,"prev":")" + std::string(64, '0') + "\"}\n";
  CHECK(slurp(dir / "blocks.jsonl") == expected);
  CHECK(g.hash == block_hash(g));
  CHECK(fs::exists(dir / "aborts.jsonl"));
  CHECK(slurp(dir / "aborts.jsonl").empty());
  CHECK(entries(dir) == std::set<std::string>{"aborts.jsonl", "blocks.jsonl"});

  CHECK(loaded.chain.height() == 0);
  CHECK(loaded.chain.head() == g.hash);
  CHECK(loaded.chain.genesis_hash() == g.hash);
  CHECK(loaded.chain.table().balances() == kOpening);
  CHECK(loaded.chain.store().size() == 1);
  CHECK(loaded.chain.range(0, 10) == std::vector<Block>{g});
  CHECK(own.empty());
  CHECK(loaded.aborts.empty());
  CHECK(loaded.notes.empty());
}

TEST_CASE("file block store: appended and synced blocks and aborts come back on reopen") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  std::vector<Block> blocks;
  std::uint64_t height = 0;
  std::string head;
  Balances balances;
  {
    auto loaded = open_ok(dir);
    fill(loaded.chain);
    blocks = loaded.chain.range(0, 100);
    height = loaded.chain.height();
    head = loaded.chain.head();
    balances = loaded.chain.table().balances();
    CHECK(loaded.chain.store().size() == 6);
  }
  REQUIRE(blocks.size() == 6);
  REQUIRE(height == 5);
  CHECK(lines_of(slurp(dir / "blocks.jsonl")).size() == 6);
  for (std::size_t i = 0; i < blocks.size(); ++i)
    CHECK(lines_of(slurp(dir / "blocks.jsonl"))[i] == block_to_json(blocks[i]).dump());

  std::vector<Block> own;
  auto again = open_ok(dir, 1, true, genesis(), &own);
  CHECK(again.notes.empty());
  CHECK(again.chain.height() == height);
  CHECK(again.chain.head() == head);
  CHECK(again.chain.table().balances() == balances);
  CHECK(again.chain.table().balances() == Balances{{1, 1950}, {2, 550}, {3, 500}});
  CHECK(again.chain.store().size() == 6);

  // Several ranges, read back from the file.
  auto slice = [&](std::size_t from, std::size_t n) {
    return std::vector<Block>(blocks.begin() + static_cast<std::ptrdiff_t>(from),
                              blocks.begin() + static_cast<std::ptrdiff_t>(std::min(blocks.size(), from + n)));
  };
  CHECK(again.chain.range(0, 100) == blocks);
  CHECK(again.chain.range(0, UINT64_MAX) == blocks);
  CHECK(again.chain.range(0, 1) == slice(0, 1));
  CHECK(again.chain.range(2, 2) == slice(2, 2));
  CHECK(again.chain.range(3, UINT64_MAX) == slice(3, 100));
  CHECK(again.chain.range(4, 100) == slice(4, 100));
  CHECK(again.chain.range(5, 1) == slice(5, 1));
  CHECK(again.chain.range(6, 1).empty());
  CHECK(again.chain.range(UINT64_MAX, UINT64_MAX).empty());
  CHECK(again.chain.range(1, 0).empty());
  CHECK(again.chain.at(3) == blocks[3]);

  // Own committed: exactly the blocks whose transfer is from `self`, in order.
  CHECK(own == std::vector<Block>{blocks[1], blocks[3], blocks[5]});
  CHECK(again.aborts == kAborts);

  // The reopened log keeps growing where it ended.
  Block six = again.chain.next_block({"2-2", 2, 1, 50, 12});
  REQUIRE_FALSE(again.chain.append(six));
  again.chain.store().record_abort({"3-9", "late"});
  again.chain.sync();
  CHECK(again.chain.range(6, 10) == std::vector<Block>{six});
  {
    std::vector<Block> own_of_two;
    auto third = open_ok(dir, 2, true, genesis(), &own_of_two);
    CHECK(third.chain.height() == 6);
    CHECK(third.chain.head() == six.hash);
    CHECK(own_of_two == std::vector<Block>{blocks[2], six});
    CHECK(third.aborts == std::vector<AbortRecord>{kAborts[0], kAborts[1], {"3-9", "late"}});
  }
  std::vector<Block> own_of_three;
  open_ok(dir, 3, true, genesis(), &own_of_three);
  CHECK(own_of_three == std::vector<Block>{blocks[4]});
}

TEST_CASE("file block store: a torn final block record is cut off with a note, and appending goes on after it") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  const std::vector<Block> blocks = filled_folder(dir);
  const std::string whole = slurp(dir / "blocks.jsonl");
  const std::size_t last = line_start(whole, 5);  // block 5's line
  REQUIRE(last < whole.size());

  std::size_t keep = 0;
  SUBCASE("only the newline missing") { keep = whole.size() - 1; }
  SUBCASE("cut in the middle") { keep = last + (whole.size() - last) / 2; }
  SUBCASE("one byte of it written") { keep = last + 1; }
  CAPTURE(keep);
  spit(dir / "blocks.jsonl", whole.substr(0, keep));

  {
    std::vector<Block> own;
    auto loaded = open_ok(dir, 1, true, genesis(), &own);
    REQUIRE(loaded.notes.size() == 1);
    CHECK(contains(loaded.notes[0], (dir / "blocks.jsonl").string()));
    CHECK(loaded.chain.height() == 4);
    CHECK(loaded.chain.head() == blocks[4].hash);
    CHECK(loaded.chain.range(0, 100) == std::vector<Block>(blocks.begin(), blocks.begin() + 5));
    CHECK(own == std::vector<Block>{blocks[1], blocks[3]});
    CHECK(loaded.aborts == kAborts);
    // The file now ends at the last complete line.
    CHECK(slurp(dir / "blocks.jsonl") == whole.substr(0, last));

    // The same transfer again (another txid): appended as block 5 on a clean line.
    Block again = loaded.chain.next_block({"1-4", 1, 2, 50, 9});
    REQUIRE_FALSE(loaded.chain.append(again));
    loaded.chain.sync();
    CHECK(loaded.chain.range(5, 1) == std::vector<Block>{again});
  }
  auto reopened = open_ok(dir);
  CHECK(reopened.notes.empty());
  CHECK(reopened.chain.height() == 5);
  const std::string text = slurp(dir / "blocks.jsonl");
  CHECK(text.substr(0, last) == whole.substr(0, last));
  CHECK(lines_of(text).size() == 6);
  CHECK(text.back() == '\n');
  CHECK(reopened.chain.at(5).tx->txid == "1-4");
}

TEST_CASE("file block store: a torn final abort record is cut off with a note, and recording goes on after it") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  filled_folder(dir);
  const std::string whole = slurp(dir / "aborts.jsonl");
  const std::size_t second = line_start(whole, 1);
  spit(dir / "aborts.jsonl", whole.substr(0, second + 7));
  const std::string blocks_before = slurp(dir / "blocks.jsonl");

  {
    auto loaded = open_ok(dir);
    REQUIRE(loaded.notes.size() == 1);
    CHECK(contains(loaded.notes[0], (dir / "aborts.jsonl").string()));
    CHECK(loaded.aborts == std::vector<AbortRecord>{kAborts[0]});
    CHECK(loaded.chain.height() == 5);
    CHECK(slurp(dir / "aborts.jsonl") == whole.substr(0, second));
    CHECK(slurp(dir / "blocks.jsonl") == blocks_before);
    loaded.chain.store().record_abort({"3-3", "again"});
    loaded.chain.sync();
  }
  auto reopened = open_ok(dir);
  CHECK(reopened.notes.empty());
  CHECK(reopened.aborts == std::vector<AbortRecord>{kAborts[0], {"3-3", "again"}});
}

TEST_CASE("file block store: torn tails in both files are both cut, with a note each") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  filled_folder(dir);
  const std::string blocks = slurp(dir / "blocks.jsonl");
  const std::string aborts = slurp(dir / "aborts.jsonl");
  spit(dir / "blocks.jsonl", blocks.substr(0, blocks.size() - 3));
  spit(dir / "aborts.jsonl", aborts.substr(0, aborts.size() - 3));
  auto loaded = open_ok(dir);
  CHECK(loaded.notes.size() == 2);
  CHECK(loaded.chain.height() == 4);
  CHECK(loaded.aborts.size() == 1);
}

TEST_CASE("file block store: one flipped byte in a middle block is refused as corrupt, naming the file and block") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  filled_folder(dir);
  const std::string whole = slurp(dir / "blocks.jsonl");

  struct Flip {
    const char* name;
    std::size_t block;
    std::string field;  // the byte right after this text, in that block's line, is changed
    std::size_t skip;   // ... this many bytes further on
  };
  const std::vector<Flip> flips{
      {"a digit of the amount", 3, R"("amount":)", 0},
      {"the last digit of the lamport stamp", 2, R"("lamport":)", 0},
      {"a character of the hash", 2, R"("hash":")", 17},
      {"a character of prev", 4, R"("prev":")", 40},
      {"a digit of the payee", 3, R"("to":)", 0},
      {"a letter of the txid", 1, R"("txid":")", 0},
      {"a brace", 2, "", 0},
  };
  for (const Flip& f : flips) {
    CAPTURE(f.name);
    std::string text = whole;
    const std::size_t begin = line_start(text, f.block);
    std::size_t at = begin;
    if (!f.field.empty()) {
      at = text.find(f.field, begin);
      REQUIRE(at < line_start(text, f.block + 1));
      at += f.field.size() + f.skip;
    }
    char& c = text[at];
    c = c == '0' ? '1' : c == '1' ? '2' : c == '{' ? '[' : c == '3' ? '4' : static_cast<char>(c ^ 0x01);
    REQUIRE(text != whole);
    spit(dir / "blocks.jsonl", text);

    Error e = refused(dir, "store.corrupt");
    CHECK(contains(e.message, (dir / "blocks.jsonl").string()));
    CHECK(contains(e.message, "block " + std::to_string(f.block) + " "));
  }
  spit(dir / "blocks.jsonl", whole);

  SUBCASE("damage and a torn tail together: refused, and the tail is not cut either") {
    std::string text = whole.substr(0, whole.size() - 10);
    const std::size_t at = text.find(R"("amount":)", line_start(text, 2)) + 9;
    text[at] = text[at] == '9' ? '8' : '9';
    spit(dir / "blocks.jsonl", text);
    Error e = refused(dir, "store.corrupt");
    CHECK(contains(e.message, "block 2 "));
  }
  SUBCASE("a damaged abort record") {
    std::string text = slurp(dir / "aborts.jsonl");
    text[2] = 'X';  // "txid" -> "tXid"
    spit(dir / "aborts.jsonl", text);
    Error e = refused(dir, "store.corrupt");
    CHECK(contains(e.message, (dir / "aborts.jsonl").string()));
  }
}

TEST_CASE("file block store: a complete but invalid final line is refused as corrupt, not cut") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  const std::vector<Block> blocks = filled_folder(dir);
  const std::string whole = slurp(dir / "blocks.jsonl");

  std::string last;
  SUBCASE("half a block, then a newline") {
    const std::string line = block_to_json(blocks[5]).dump();
    spit(dir / "blocks.jsonl", whole.substr(0, line_start(whole, 5)) + line.substr(0, line.size() / 2) + "\n");
    last = "block 5 ";
  }
  SUBCASE("a valid-looking block 6 with a wrong hash") {
    Block b6;
    b6.index = 6;
    b6.prev = blocks[5].hash;
    b6.tx = Tx{"2-5", 2, 3, 10, 11};
    b6.hash = std::string(64, 'a');
    spit(dir / "blocks.jsonl", whole + block_to_json(b6).dump() + "\n");
    last = "block 6 ";
  }
  SUBCASE("a block repeated") {
    spit(dir / "blocks.jsonl", whole + block_to_json(blocks[5]).dump() + "\n");
    last = "block 6 ";
  }
  SUBCASE("an empty last line") {
    spit(dir / "blocks.jsonl", whole + "\n");
    last = "block 6 ";
  }
  Error e = refused(dir, "store.corrupt");
  CHECK(contains(e.message, last));
  CHECK(contains(e.message, (dir / "blocks.jsonl").string()));
}

TEST_CASE("file block store: a folder of another cluster config is refused") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  filled_folder(dir);
  const Block other = Chain::make_genesis({{1, 1000}, {2, 1000}, {3, 999}});
  Error e = refused(dir, "store.genesis", other);
  CHECK(contains(e.message, (dir / "blocks.jsonl").string()));

  // The same config still opens it.
  CHECK(open_ok(dir).chain.height() == 5);
}

TEST_CASE("file block store: an empty blocks.jsonl is refused and nothing is created") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  fs::create_directories(dir);
  spit(dir / "blocks.jsonl", "");
  Error e = refused(dir, "store.corrupt");
  CHECK(contains(e.message, (dir / "blocks.jsonl").string()));
  CHECK_FALSE(fs::exists(dir / "aborts.jsonl"));
  CHECK(slurp(dir / "blocks.jsonl").empty());
}

TEST_CASE("file block store: a folder that cannot be created or read gives store.io") {
  TempDir tmp;
  const fs::path file = tmp.path / "plain-file";
  spit(file, "not a folder\n");

  SUBCASE("a folder under a regular file") {
    auto r = FileBlockStore::open(file / "node-1", genesis(), true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "store.io");
    CHECK(contains(r.error().message, file.string()));
  }
  SUBCASE("the folder is a regular file") {
    auto r = FileBlockStore::open(file, genesis(), true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "store.io");
    CHECK(contains(r.error().message, file.string()));
  }
  SUBCASE("blocks.jsonl is a folder") {
    const fs::path dir = tmp.path / "node-1";
    fs::create_directories(dir / "blocks.jsonl");
    auto r = FileBlockStore::open(dir, genesis(), true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "store.io");
    CHECK(contains(r.error().message, (dir / "blocks.jsonl").string()));
    CHECK(entries(dir) == std::set<std::string>{"blocks.jsonl"});
  }
  CHECK(slurp(file) == "not a folder\n");
}

TEST_CASE("file block store: with fsync off blocks are still written, and a reopen sees them") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  std::vector<Block> blocks;
  {
    auto loaded = open_ok(dir, 1, false);
    fill(loaded.chain);
    blocks = loaded.chain.range(0, 100);
  }
  CHECK(lines_of(slurp(dir / "blocks.jsonl")).size() == 6);
  auto again = open_ok(dir, 1, false);
  CHECK(again.chain.range(0, 100) == blocks);
  CHECK(again.aborts == kAborts);
}

TEST_CASE("file block store: a 20,000-block log reopens and verifies") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  constexpr std::uint64_t n = 20000;
  std::string head;
  Balances balances;
  {
    auto loaded = open_ok(dir, 1, false);
    for (std::uint64_t i = 1; i <= n; ++i) {
      NodeId from = static_cast<NodeId>(i % 3 + 1);
      NodeId to = from % 3 + 1;
      REQUIRE_FALSE(loaded.chain.append(loaded.chain.next_block({std::to_string(from) + "-" + std::to_string(i), from, to,
                                                                 static_cast<Cents>(i % 7 + 1), i})));
    }
    loaded.chain.sync();
    head = loaded.chain.head();
    balances = loaded.chain.table().balances();
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<Block> own;
  auto again = open_ok(dir, 1, true, genesis(), &own);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("reopening and verifying ", n, " blocks took ", ms, " ms");
  CHECK(again.chain.height() == n);
  CHECK(again.chain.head() == head);
  CHECK(again.chain.table().balances() == balances);
  CHECK(again.chain.table().total() == 3000);
  CHECK(own.size() == n / 3);
  CHECK(again.chain.range(n - 2, 10).size() == 3);
  CHECK(again.chain.at(n).hash == head);
}

TEST_CASE("file block store: blocks appended before an abort reach the file before the abort does") {
  TempDir tmp;
  auto loaded = open_ok(tmp.path);
  Block b = loaded.chain.next_block({"1-1", 1, 2, 900, 3});
  REQUIRE_FALSE(loaded.chain.append(b));
  CHECK(slurp(tmp.path / "blocks.jsonl").find(b.hash) == std::string::npos);  // one write per sync
  // An abort decided against that block (it left 100 of 1000): were the process killed now,
  // a restart must not find the abort without the block.
  loaded.chain.store().record_abort({"1-2", "account 1 holds 100 cents, less than the 500 cents asked"});
  CHECK(slurp(tmp.path / "blocks.jsonl").find(b.hash) != std::string::npos);
  CHECK(slurp(tmp.path / "aborts.jsonl").find("1-2") != std::string::npos);
}

namespace {
Signer store_signer(NodeId id) {
  std::array<unsigned char, 32> seed{};
  seed.fill(static_cast<unsigned char>(70 + id));
  return Signer::from_seed(seed);
}
std::shared_ptr<const KeyRing> store_keys() {
  auto ring = std::make_shared<KeyRing>();
  for (NodeId id : {1u, 2u, 3u}) ring->add_signing_key(id, store_signer(id).public_key());
  return ring;
}
// A log of `runs` runs of node 2 and node 3 alternately, `per_run` blocks each, each run's
// last block signed; `sign_last_run` false leaves the final run unsigned (a torn batch).
void write_signed_log(const fs::path& dir, int runs, int per_run, bool sign_last_run = true) {
  auto opened = FileBlockStore::open(dir, genesis(), false, {}, store_keys());
  REQUIRE(opened);
  Chain& chain = opened->chain;
  for (int r = 0; r < runs; ++r) {
    const NodeId payer = r % 2 ? 3 : 2;
    std::vector<Block> run;
    ChainState trial = chain.state();
    for (int k = 0; k < per_run; ++k) {
      run.push_back(Chain::block_on(trial, {"t" + std::to_string(r) + "-" + std::to_string(k), payer, payer == 2 ? 3u : 2u, 1, 1}));
      REQUIRE_FALSE(trial.append(run.back()));
    }
    if (r + 1 < runs || sign_last_run) {
      run.back().sig = store_signer(payer).sign_hash(run.back().hash);
      REQUIRE_FALSE(chain.append_run(run));
    } else {
      for (const Block& b : run) chain.store().append(b);  // as a torn batch leaves them
    }
  }
  chain.sync();
}
}  // namespace

TEST_CASE("file block store: with keys a signed log reopens, its signatures are checked on other threads too") {
  TempDir t;
  write_signed_log(t.path, 3000, 3);  // more signatures than one check chunk
  auto opened = FileBlockStore::open(t.path, genesis(), false, {}, store_keys());
  REQUIRE_MESSAGE(opened, opened.error().message);
  CHECK(opened->chain.height() == 9000);
  CHECK(opened->notes.empty());
}

TEST_CASE("file block store: a signature that is not its payer's stops the start, naming the block, and changes nothing") {
  TempDir t;
  write_signed_log(t.path, 3000, 3);
  const fs::path blocks = t.path / "blocks.jsonl";
  auto lines = lines_of(slurp(blocks));
  // Block 4500 (the end of a run of node 2's, since runs are 3 long) signed by node 3's key.
  auto b = decode_block(lines[4500], 1 << 20);
  REQUIRE(b);
  REQUIRE_FALSE(b->sig.empty());
  b->sig = store_signer(b->tx->from == 2 ? 3 : 2).sign_hash(b->hash);
  lines[4500] = block_text(*b);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  spit(blocks, text);
  auto opened = FileBlockStore::open(t.path, genesis(), false, {}, store_keys());
  REQUIRE_FALSE(opened);
  CHECK(opened.error().id == "store.corrupt");
  CHECK(opened.error().message.find("block 4500 is damaged") != std::string::npos);
  CHECK(opened.error().message.find("signature") != std::string::npos);
  CHECK(slurp(blocks) == text);
}

TEST_CASE("file block store: unsigned blocks at the end (a torn batch) are cut, with a note, without keys they stay") {
  TempDir t;
  write_signed_log(t.path, 4, 3, false);
  {
    auto plain = FileBlockStore::open(t.path, genesis(), false);  // security off: nothing to cut
    REQUIRE(plain);
    CHECK(plain->chain.height() == 12);
  }
  auto opened = FileBlockStore::open(t.path, genesis(), false, {}, store_keys());
  REQUIRE_MESSAGE(opened, opened.error().message);
  CHECK(opened->chain.height() == 9);
  CHECK(opened->chain.state().covered());
  REQUIRE(opened->notes.size() == 1);
  CHECK(opened->notes[0].find("cut 3 unsigned blocks from 10") != std::string::npos);
  CHECK(lines_of(slurp(t.path / "blocks.jsonl")).size() == 10);
}

TEST_CASE("file block store: files are created 0600 and missing folders 0700") {
  TempDir tmp;
  const fs::path dir = tmp.path / "data" / "node-1";
  open_ok(dir);
  auto mode = [](const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; };
  CHECK(mode(tmp.path / "data") == fs::perms::owner_all);
  CHECK(mode(dir) == fs::perms::owner_all);
  CHECK(mode(dir / "blocks.jsonl") == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(mode(dir / "aborts.jsonl") == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("file block store: 20,000 aborts leave the newest in a file compacted to its bound") {
  TempDir tmp;
  const fs::path dir = tmp.path / "node-1";
  auto abort_of = [](std::size_t i) { return AbortRecord{"t-" + std::to_string(i), "too poor " + std::to_string(i)}; };
  std::size_t most_lines = 0;
  {
    auto loaded = open_ok(dir, 1, false);
    for (std::size_t i = 0; i < 20000; ++i) {
      loaded.chain.store().record_abort(abort_of(i));
      if (i % 997 == 0) most_lines = std::max(most_lines, lines_of(slurp(dir / "aborts.jsonl")).size());
    }
    loaded.chain.store().sync();
    auto lines = lines_of(slurp(dir / "aborts.jsonl"));
    CHECK(lines.size() < 2 * max_kept_aborts);
    CHECK(lines.back() == abort_record_text(abort_of(19999)));
  }
  CHECK(most_lines < 2 * max_kept_aborts);
  CHECK(most_lines > max_kept_aborts);  // it did grow past the bound before compacting
  CHECK((fs::status(dir / "aborts.jsonl").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK_FALSE(fs::exists(dir / "aborts.jsonl.tmp"));
  // A reopen loads exactly the newest max_kept_aborts, oldest first, and trims the file to them.
  auto loaded = open_ok(dir, 1, false);
  REQUIRE(loaded.aborts.size() == max_kept_aborts);
  CHECK(loaded.aborts.front() == abort_of(20000 - max_kept_aborts));
  CHECK(loaded.aborts.back() == abort_of(19999));
  CHECK(lines_of(slurp(dir / "aborts.jsonl")).size() == max_kept_aborts);
}

TEST_CASE("file block store: it counts the bytes it writes, and a sync reports the disk's time only when it synced") {
  TempDir dir;
  auto loaded = open_ok(dir.path);
  Chain& chain = loaded.chain;
  // A new chain's genesis was written and synced at open.
  CHECK(chain.store().bytes_written() == fs::file_size(dir.path / "blocks.jsonl"));
  CHECK_FALSE(chain.sync());  // nothing waiting: no fdatasync, no time to report
  fill(chain);                // five blocks and two aborts, synced
  const auto files = fs::file_size(dir.path / "blocks.jsonl") + fs::file_size(dir.path / "aborts.jsonl");
  CHECK(chain.store().bytes_written() == files);
  REQUIRE_FALSE(chain.append(chain.next_block({"1-4", 1, 2, 1, 10})));
  auto took = chain.sync();
  REQUIRE(took);
  CHECK(*took >= 0);
  CHECK(chain.store().bytes_written() == fs::file_size(dir.path / "blocks.jsonl") + fs::file_size(dir.path / "aborts.jsonl"));

  // Reopened, it counts from zero: what this run writes.
  loaded = open_ok(dir.path);
  CHECK(loaded.chain.store().bytes_written() == 0);
  REQUIRE_FALSE(loaded.chain.append(loaded.chain.next_block({"1-5", 1, 2, 1, 11})));
  loaded.chain.sync();
  CHECK(loaded.chain.store().bytes_written() == block_text(loaded.chain.at(7)).size() + 1);
}

TEST_CASE("file block store: without fsync a sync writes but reports no disk time") {
  TempDir dir;
  auto loaded = open_ok(dir.path, 1, false);
  REQUIRE_FALSE(loaded.chain.append(loaded.chain.next_block({"1-1", 1, 2, 1, 3})));
  CHECK_FALSE(loaded.chain.sync());
  CHECK(loaded.chain.store().bytes_written() == fs::file_size(dir.path / "blocks.jsonl"));
}
