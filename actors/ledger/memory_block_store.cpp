// MemoryBlockStore: blocks in a vector, with crash semantics for the simulation.
#include "actors/ledger/memory_block_store.hpp"

#include <algorithm>

namespace bank {

MemoryBlockStore::MemoryBlockStore(Block genesis) { blocks_.push_back(std::move(genesis)); }

void MemoryBlockStore::append(const Block& block) { blocks_.push_back(block); }

void MemoryBlockStore::record_abort(const AbortRecord& abort) { aborts_.push_back(abort); }

std::optional<std::int64_t> MemoryBlockStore::sync() {
  const bool waiting = unsynced() > 0;
  if (sync_lies_) return std::nullopt;
  synced_blocks_ = blocks_.size();
  synced_aborts_ = aborts_.size();
  ++syncs_;
  return waiting ? std::optional<std::int64_t>(sync_us_) : std::nullopt;
}

std::uint64_t MemoryBlockStore::bytes_written() const {
  std::uint64_t bytes = 0;
  for (const Block& b : blocks_) bytes += block_text(b).size() + 1;
  for (const AbortRecord& a : aborts_) bytes += abort_record_text(a).size() + 1;
  return bytes;
}

std::vector<Block> MemoryBlockStore::read(std::uint64_t from, std::uint64_t limit) const {
  std::vector<Block> out;
  for (std::uint64_t i = from; i < blocks_.size() && out.size() < limit; ++i) out.push_back(blocks_[i]);
  return out;
}

void MemoryBlockStore::crash(std::size_t unsynced_kept, bool torn) {
  std::size_t extra_blocks = std::min(unsynced_kept, blocks_.size() - synced_blocks_);
  std::size_t keep_blocks = synced_blocks_ + extra_blocks;
  std::size_t keep_aborts = synced_aborts_ + std::min(unsynced_kept - extra_blocks, aborts_.size() - synced_aborts_);
  // Only a record not yet synced can be torn: a synced one is whole on disk.
  if (torn && keep_blocks > synced_blocks_) --keep_blocks;
  blocks_.resize(keep_blocks);
  aborts_.resize(keep_aborts);
  synced_blocks_ = blocks_.size();
  synced_aborts_ = aborts_.size();
}

void MemoryBlockStore::truncate(std::size_t blocks) {
  if (blocks < blocks_.size()) blocks_.resize(blocks);
  synced_blocks_ = std::min(synced_blocks_, blocks_.size());
}

}  // namespace bank
