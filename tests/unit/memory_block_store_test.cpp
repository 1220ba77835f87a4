// MemoryBlockStore: blocks in memory, reads by range, and crash semantics (synced survives, a torn unsynced tail is cut).
#include "actors/ledger/memory_block_store.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "actors/ledger/chain.hpp"

using namespace bank;

namespace {

Block genesis() { return Chain::make_genesis({{1, 1000}, {2, 1000}, {3, 1000}}); }

// Valid blocks 1..n on top of genesis(), built on a chain of their own.
std::vector<Block> blocks_after_genesis(std::uint64_t n) {
  Chain c(genesis());
  std::vector<Block> out;
  for (std::uint64_t i = 1; i <= n; ++i) {
    Block b = c.next_block({"1-" + std::to_string(i), 1, 2, 10, i});
    REQUIRE_FALSE(c.append(b));
    out.push_back(b);
  }
  return out;
}

std::vector<Block> prefix(const std::vector<Block>& all, std::size_t n) {
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace

TEST_CASE("memory block store: a new store holds its genesis, synced") {
  MemoryBlockStore s(genesis());
  CHECK(s.size() == 1);
  CHECK(s.read(0, 10) == std::vector<Block>{genesis()});
  CHECK(s.unsynced() == 0);
  CHECK(s.aborts().empty());
  CHECK(s.syncs() == 0);
  s.crash(5, true);  // genesis is never lost
  CHECK(s.read(0, 10) == std::vector<Block>{genesis()});
}

TEST_CASE("memory block store: read returns the range asked, clipped at the end") {
  MemoryBlockStore s(genesis());
  const auto bs = blocks_after_genesis(4);
  for (const Block& b : bs) s.append(b);
  std::vector<Block> all{genesis()};
  all.insert(all.end(), bs.begin(), bs.end());
  CHECK(s.size() == 5);
  CHECK(s.read(0, 100) == all);
  CHECK(s.read(0, UINT64_MAX) == all);
  CHECK(s.read(1, 2) == std::vector<Block>{all[1], all[2]});
  CHECK(s.read(4, 9) == std::vector<Block>{all[4]});
  CHECK(s.read(5, 1).empty());
  CHECK(s.read(2, 0).empty());
  CHECK(s.read(UINT64_MAX, UINT64_MAX).empty());
}

TEST_CASE("memory block store: sync counts and clears what is unsynced") {
  MemoryBlockStore s(genesis());
  const auto bs = blocks_after_genesis(2);
  s.append(bs[0]);
  s.record_abort({"2-1", "poor"});
  CHECK(s.unsynced() == 2);
  s.sync();
  CHECK(s.unsynced() == 0);
  CHECK(s.syncs() == 1);
  s.append(bs[1]);
  CHECK(s.unsynced() == 1);
  s.sync();
  s.sync();
  CHECK(s.syncs() == 3);
}

TEST_CASE("memory block store: a crash keeps what was synced and a prefix of the rest, blocks first, then aborts") {
  const auto bs = blocks_after_genesis(3);
  const std::vector<Block> all{genesis(), bs[0], bs[1], bs[2]};
  const AbortRecord a1{"1-a", "one"}, a2{"1-b", "two"}, a3{"1-c", "three"};

  struct Row {
    std::size_t kept;
    bool torn;
    std::size_t blocks;  // blocks left, genesis included
    std::size_t aborts;  // abort records left
  };
  // Synced: genesis, block 1, abort a1. Unsynced: blocks 2 and 3, then aborts a2 and a3.
  const std::vector<Row> rows{
      {0, false, 2, 1}, {0, true, 2, 1},   // a torn write never takes a synced record
      {1, false, 3, 1}, {1, true, 2, 1},   // block 2 written, and torn
      {2, false, 4, 1}, {2, true, 3, 1},   // blocks 2 and 3; torn drops block 3 only
      {3, false, 4, 2}, {3, true, 3, 2},   // and a2; torn still hits the last kept block
      {4, false, 4, 3}, {4, true, 3, 3},   // everything
      {9, false, 4, 3}, {9, true, 3, 3},   // more than there was
  };
  for (const Row& r : rows) {
    CAPTURE(r.kept);
    CAPTURE(r.torn);
    MemoryBlockStore s(genesis());
    s.append(bs[0]);
    s.record_abort(a1);
    s.sync();
    s.append(bs[1]);
    s.append(bs[2]);
    s.record_abort(a2);
    s.record_abort(a3);
    REQUIRE(s.unsynced() == 4);

    s.crash(r.kept, r.torn);
    CHECK(s.size() == r.blocks);
    CHECK(s.read(0, 100) == prefix(all, r.blocks));
    const std::vector<AbortRecord> every{a1, a2, a3};
    CHECK(s.aborts() == std::vector<AbortRecord>(every.begin(), every.begin() + static_cast<std::ptrdiff_t>(r.aborts)));
    CHECK(s.unsynced() == 0);  // what survived is what a restart loads
    CHECK(s.syncs() == 1);

    // A second crash loses nothing more: what survived is on disk.
    s.crash(0, true);
    CHECK(s.size() == r.blocks);
    CHECK(s.aborts().size() == r.aborts);

    // The store takes the next block where it ended.
    const std::size_t height = s.size() - 1;
    s.append(all.size() > height + 1 ? all[height + 1] : blocks_after_genesis(4)[3]);
    CHECK(s.size() == r.blocks + 1);
  }
}

TEST_CASE("memory block store: with only aborts unsynced, a torn crash drops no block") {
  const auto bs = blocks_after_genesis(2);
  MemoryBlockStore s(genesis());
  s.append(bs[0]);
  s.append(bs[1]);
  s.sync();
  s.record_abort({"1-x", "x"});
  s.record_abort({"1-y", "y"});
  s.crash(1, true);
  CHECK(s.size() == 3);
  CHECK(s.aborts() == std::vector<AbortRecord>{{"1-x", "x"}});
}

TEST_CASE("memory block store: a sync reports the disk time it is given, only when records waited") {
  MemoryBlockStore s(genesis());
  s.set_sync_us(70);
  CHECK_FALSE(s.sync());  // genesis is held as synced
  const auto bs = blocks_after_genesis(1);
  s.append(bs[0]);
  CHECK(s.sync() == std::optional<std::int64_t>{70});
  CHECK_FALSE(s.sync());
  s.record_abort({"2-1", "poor"});
  CHECK(s.sync() == std::optional<std::int64_t>{70});
  // The bytes a file store would hold for the same records.
  CHECK(s.bytes_written() == block_text(genesis()).size() + 1 + block_text(bs[0]).size() + 1 +
                                 abort_record_text({"2-1", "poor"}).size() + 1);
}
