// MemoryBlockStore: a BlockStore in memory, for the simulation and tests. crash() models a
// power cut: what was synced survives, of the rest a prefix survives (the disk wrote some
// of it), and the last record that survives may be torn, which a restart cuts off.
#pragma once

#include "actors/ledger/block_store.hpp"

namespace bank {

class MemoryBlockStore : public BlockStore {
 public:
  explicit MemoryBlockStore(Block genesis);

  void append(const Block& block) override;
  void record_abort(const AbortRecord& abort) override;
  // Takes sync_us() of "disk time" when records were waiting for it.
  std::optional<std::int64_t> sync() override;
  std::vector<Block> read(std::uint64_t from, std::uint64_t limit) const override;
  std::uint64_t size() const override { return blocks_.size(); }
  // It writes nothing: the bytes a file store's files would hold for what it holds now.
  std::uint64_t bytes_written() const override;

  // Keeps the synced records and `unsynced_kept` more (of blocks, then aborts, in order),
  // minus the last kept block when `torn`; the store then holds what a restart would load.
  void crash(std::size_t unsynced_kept, bool torn);
  // Keeps the first `blocks` blocks (a restart cutting blocks no signature covers).
  void truncate(std::size_t blocks);
  std::size_t unsynced() const { return blocks_.size() - synced_blocks_ + aborts_.size() - synced_aborts_; }
  // Blocks that a crash would keep, genesis included: block i is synced when i < this.
  std::size_t synced_blocks() const { return synced_blocks_; }
  const std::vector<AbortRecord>& aborts() const { return aborts_; }
  std::uint64_t syncs() const { return syncs_; }
  // What each sync that had records to sync reports as its duration (0 by default: memory
  // takes no time); tests set it to see it in the ledger's metrics.
  void set_sync_us(std::int64_t us) { sync_us_ = us; }
  // A disk that lies: sync() reports success and makes nothing durable. The simulation plants
  // it (bank-sim --plant no-sync) to show that its durability checks catch a lost sync.
  void set_sync_lies(bool lies) { sync_lies_ = lies; }

 private:
  std::vector<Block> blocks_;
  std::vector<AbortRecord> aborts_;
  std::size_t synced_blocks_ = 1;
  std::size_t synced_aborts_ = 0;
  std::uint64_t syncs_ = 0;
  std::int64_t sync_us_ = 0;
  bool sync_lies_ = false;
};

}  // namespace bank
