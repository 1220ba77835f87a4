// BlockStore: where a node's blocks live, genesis first, as the ledger core sees it. The
// core appends and syncs through this interface and never touches a file: the node gives it
// a FileBlockStore (an fsynced append-only file), the simulation a MemoryBlockStore that can
// lose what was not synced when it "crashes".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "messages/abort_record.hpp"
#include "messages/block.hpp"

namespace bank {

class BlockStore {
 public:
  virtual ~BlockStore() = default;
  // Adds a block after the last one, or an abort record; neither is durable before sync().
  virtual void append(const Block& block) = 0;
  virtual void record_abort(const AbortRecord& abort) = 0;
  // Makes everything appended so far durable (one fsync may cover many blocks). Returns how
  // long the disk took to sync, in microseconds, when it had to (the node's fsync_us metric);
  // nullopt when nothing was waiting for a sync, or the store does not sync (fsync: false).
  virtual std::optional<std::int64_t> sync() = 0;
  virtual std::vector<Block> read(std::uint64_t from, std::uint64_t limit) const = 0;
  virtual std::uint64_t size() const = 0;  // blocks held, genesis included
  // Bytes of block and abort lines written since the store was opened (a new chain's
  // genesis included), for the node's metrics.
  virtual std::uint64_t bytes_written() const = 0;
};

}  // namespace bank
