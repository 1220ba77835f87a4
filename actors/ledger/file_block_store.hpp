// FileBlockStore: the durable block log of one node, in its folder data_dir/node-N/:
//   blocks.jsonl   one block per line, genesis first, append-only
//   aborts.jsonl   one {"txid","reason"} per line: transfers refused for funds, the newest
//                  max_kept_aborts of them (compacted to those when it holds twice as many)
// Files are created 0600 and folders 0700: the ledger is nobody else's business.
// A block is written when appended and on disk after sync() (fdatasync when fsync is on).
// open() re-reads and verifies everything (hashes, links, funds, the config's genesis).
// A final line without its newline is a write torn by a crash: it is cut off and reported.
// Any other damage is refused with the file and the block named, and nothing is changed.
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <memory>

#include "actors/ledger/block_store.hpp"
#include "actors/ledger/chain.hpp"
#include "messages/result.hpp"

namespace bank {

class FileBlockStore : public BlockStore {
 public:
  struct Loaded {
    Chain chain;                       // over the store, in the state after the last block
    std::vector<AbortRecord> aborts;
    std::vector<std::string> notes;    // what open() repaired (a torn record cut off), for the log
  };
  // Error ids: store.io (cannot create/read/write), store.corrupt (a damaged record),
  // store.genesis (the folder holds the chain of another config).
  // `each` sees every verified transfer block (for the txid memory) once a signature covers
  // it, one at a time: open() holds no more than a read buffer of the log, whatever its length.
  using EachBlock = std::function<void(const Block&)>;
  // With keys, every block's payer signature is checked too (ChainState), and unsigned
  // blocks at the end are cut like a torn record.
  static Result<Loaded> open(const std::filesystem::path& dir, const Block& genesis, bool fsync,
                             const EachBlock& each = {}, std::shared_ptr<const KeyRing> keys = nullptr);
  ~FileBlockStore() override;

  void append(const Block& block) override;
  void record_abort(const AbortRecord& abort) override;
  std::optional<std::int64_t> sync() override;
  std::vector<Block> read(std::uint64_t from, std::uint64_t limit) const override;
  std::uint64_t size() const override { return offsets_.size(); }
  // What write() took: block lines, abort lines, and aborts.jsonl rewritten when compacted.
  std::uint64_t bytes_written() const override { return bytes_written_; }

 private:
  FileBlockStore(std::filesystem::path dir, int blocks_fd, int aborts_fd, bool fsync);
  void write_all(int fd, const std::string& text, const char* what) const;
  void write_unwritten() const;  // reads must see every appended block
  void compact_aborts();

  std::filesystem::path dir_;
  int blocks_fd_ = -1;
  int aborts_fd_ = -1;
  bool fsync_ = true;
  mutable bool blocks_dirty_ = false;  // written since the last fdatasync
  mutable bool aborts_dirty_ = false;
  std::uint64_t end_ = 0;               // size of blocks.jsonl
  // Where each block's line starts: 8 bytes a block. A deque grows in chunks, never by the
  // doubling copy of a vector, whose old and new buffers together set the peak RSS.
  std::deque<std::uint64_t> offsets_;
  mutable std::string unwritten_;       // appended lines not yet written to the file
  std::deque<std::string> newest_aborts_;  // the newest max_kept_aborts lines of aborts.jsonl
  std::size_t abort_lines_ = 0;            // lines in aborts.jsonl
  mutable std::uint64_t bytes_written_ = 0;  // by this store since open()
};

}  // namespace bank
