// FileBlockStore: JSON Lines on disk, verified on open, fdatasync on sync.
#include "actors/ledger/file_block_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <optional>
#include <stdexcept>
#include <utility>


namespace bank {

namespace {

Error io_error(const std::filesystem::path& p, const std::string& what) {
  return make_error("store.io", "cannot " + what + " " + p.string() + ": " + std::strerror(errno));
}

// Reads a JSON Lines file in chunks, in constant memory, and hands each complete line and
// its offset to `each`, which may refuse it. A final line without its newline is a torn
// write: it is not handed over, and the scan says where the good part ends.
struct Scan {
  bool torn = false;
  bool noted = false;  // the cut is already explained in the notes
  std::uint64_t good_end = 0;
};

using EachLine = std::function<std::optional<Error>(std::string_view line, std::uint64_t offset)>;

Result<Scan> scan_lines(const std::filesystem::path& p, const EachLine& each) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(p, "read");
  std::string buf;
  std::vector<char> chunk(1 << 20);
  Scan scan;
  for (;;) {
    ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    // A read that failed is not the end of the file: taking it for one would cut or
    // overwrite good records.
    if (n < 0) {
      auto e = io_error(p, "read");
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    buf.append(chunk.data(), static_cast<std::size_t>(n));
    std::size_t pos = 0;
    for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n', pos)) {
      if (auto e = each(std::string_view(buf).substr(pos, nl - pos), scan.good_end)) {
        ::close(fd);
        return *e;
      }
      scan.good_end += nl - pos + 1;
      pos = nl + 1;
    }
    buf.erase(0, pos);
  }
  ::close(fd);
  scan.torn = !buf.empty();
  return scan;
}

// Start-up's signature checks, on other threads while the scan goes on: an Ed25519
// verification costs about ten times parsing and hashing a block, so on a million-block log
// it would otherwise be most of the start. Chunks of kChunk signatures, at most kInFlight of
// them at once (the memory stays bounded, whatever the log's length).
class SignatureCheck {
 public:
  static constexpr std::size_t kChunk = 2048;
  static constexpr std::size_t kInFlight = 2;
  explicit SignatureCheck(std::shared_ptr<const KeyRing> keys) : keys_(std::move(keys)) {}
  ~SignatureCheck() { finish(); }

  void add(ChainState::SignedBlock b) {
    chunk_.push_back(std::move(b));
    if (chunk_.size() == kChunk) submit();
  }
  // The first block whose signature is not its payer's, once every chunk is checked.
  std::optional<ChainState::SignedBlock> finish() {
    submit();
    while (!running_.empty()) collect();
    return bad_;
  }

 private:
  using Chunk = std::vector<ChainState::SignedBlock>;
  void submit() {
    if (chunk_.empty()) return;
    if (running_.size() >= kInFlight) collect();
    running_.push_back(std::async(std::launch::async, [keys = keys_, c = std::move(chunk_)]() {
      std::optional<ChainState::SignedBlock> bad;
      for (const auto& b : c)
        if (!keys->signed_by(b.payer, b.hash, b.sig)) return std::optional<ChainState::SignedBlock>(b);
      return bad;
    }));
    chunk_ = {};
  }
  void collect() {
    auto r = running_.front().get();
    running_.pop_front();
    if (r && (!bad_ || r->index < bad_->index)) bad_ = std::move(r);
  }

  std::shared_ptr<const KeyRing> keys_;
  Chunk chunk_;
  std::deque<std::future<std::optional<ChainState::SignedBlock>>> running_;
  std::optional<ChainState::SignedBlock> bad_;
};

// Verifies blocks.jsonl line by line into `state`, noting where each line starts: the first
// must be the config's genesis; `each` sees every later block once a signature covers it. Blocks at the end that no signature covers (a batch whose
// write a power cut tore before its signed last block reached the disk: it was never
// synced, so never released or answered) are left out, and the scan ends before them.
Result<Scan> scan_blocks(const std::filesystem::path& path, const Block& genesis,
                         const FileBlockStore::EachBlock& each, ChainState& state, std::deque<std::uint64_t>& offsets,
                         std::vector<std::string>& notes) {
  std::optional<SignatureCheck> signatures;
  if (state.keys()) {
    signatures.emplace(state.keys());
    state.defer_signatures([check = &*signatures](ChainState::SignedBlock b) { check->add(std::move(b)); });
  }
  ChainState covered = state;  // the state after the last covered block
  std::vector<Block> uncovered;
  std::uint64_t failed_at = UINT64_MAX;  // the block the scan refused, if any
  auto scan = scan_lines(path, [&](std::string_view line, std::uint64_t offset) -> std::optional<Error> {
    std::size_t i = offsets.size();
    offsets.push_back(offset);
    auto damaged = [&](const std::string& why) {
      return make_error("store.corrupt", path.string() + ": block " + std::to_string(i) + " is damaged (" + why + ")");
    };
    auto b = decode_block(line, 1024 * 1024);
    if (!b) return damaged(b.error().message);
    if (i == 0) {
      if (b->hash != genesis.hash || *b != genesis)
        return make_error("store.genesis",
                          path.string() + " holds the chain of another cluster config (its genesis differs)");
      return std::nullopt;
    }
    if (auto e = state.append(*b)) {
      failed_at = i;
      return damaged(e->message);
    }
    if (each) uncovered.push_back(std::move(*b));
    if (state.covered()) {
      for (const Block& o : uncovered) each(o);
      uncovered.clear();
      if (state.keys()) covered = state;
    }
    return std::nullopt;
  });
  state.defer_signatures({});
  covered.defer_signatures({});
  if (signatures) {
    if (auto bad = signatures->finish(); bad && bad->index < failed_at)
      return make_error("store.corrupt", path.string() + ": block " + std::to_string(bad->index) +
                                             " is damaged (block " + std::to_string(bad->index) +
                                             " carries a signature that is not its payer's (node " +
                                             std::to_string(bad->payer) + "))");
  }
  if (!scan || state.covered()) return scan;
  const std::uint64_t first = state.run_start();
  notes.push_back("cut " + std::to_string(offsets.size() - first) + " unsigned blocks from " + std::to_string(first) +
                  " at the end of " + path.string() + " (a batch torn by a crash before its signed last block)");
  scan->torn = true;
  scan->noted = true;
  scan->good_end = offsets[first];
  offsets.resize(first);
  state = std::move(covered);
  return scan;
}

// Reads aborts.jsonl into `records`.
Result<Scan> scan_aborts(const std::filesystem::path& path, std::vector<AbortRecord>& records) {
  return scan_lines(path, [&](std::string_view line, std::uint64_t) -> std::optional<Error> {
    auto a = decode_abort_record(line);
    if (!a) return make_error("store.corrupt", path.string() + ": record " + std::to_string(records.size()) + " is damaged");
    records.push_back(std::move(*a));
    return std::nullopt;
  });
}

// The repair: a torn final record (never synced, so no one else saw it) is cut off, with a note.
std::optional<Error> cut_torn_end(const std::filesystem::path& path, const Scan& scan, std::vector<std::string>& notes) {
  if (!scan.torn) return std::nullopt;
  if (::truncate(path.c_str(), static_cast<off_t>(scan.good_end)) != 0) return io_error(path, "cut the torn end of");
  if (!scan.noted) notes.push_back("cut a torn final record from " + path.string() + " (written during a crash, never synced)");
  return std::nullopt;
}

Result<int> open_append(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(p, "open");
  return fd;
}

// Both files opened for appending, or neither.
Result<std::pair<int, int>> open_both(const std::filesystem::path& blocks, const std::filesystem::path& aborts) {
  auto bfd = open_append(blocks);
  if (!bfd) return bfd.error();
  auto afd = open_append(aborts);
  if (!afd) {
    ::close(*bfd);
    return afd.error();
  }
  return std::pair{*bfd, *afd};
}

bool sync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// Creates `dir` and any missing parent, each 0700; folders that exist are left as they are.
// Each new folder's name is synced into its parent: a power cut must not take away the
// folder that holds synced blocks (found by the power-cut test).
std::optional<Error> make_dirs(const std::filesystem::path& dir) {
  if (dir.empty() || std::filesystem::is_directory(dir)) return std::nullopt;
  if (auto e = make_dirs(dir.parent_path())) return e;
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST) return std::nullopt;
    return io_error(dir, "create");
  }
  sync_dir(dir.parent_path().empty() ? "." : dir.parent_path());
  return std::nullopt;
}

// Writes `lines` to `path` through a temporary file renamed over it: a crash leaves the old
// file or the new one, never half of one.
std::optional<Error> replace_file(const std::filesystem::path& path, const std::deque<std::string>& lines, bool fsync) {
  auto tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(tmp, "create");
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto e = io_error(tmp, "write");
      ::close(fd);
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  bool ok = !fsync || ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok) return io_error(tmp, "sync");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return io_error(path, "replace");
  return std::nullopt;
}

}  // namespace

FileBlockStore::FileBlockStore(std::filesystem::path dir, int blocks_fd, int aborts_fd, bool fsync)
    : dir_(std::move(dir)), blocks_fd_(blocks_fd), aborts_fd_(aborts_fd), fsync_(fsync) {}

FileBlockStore::~FileBlockStore() {
  try {
    sync();
  } catch (const std::exception&) {
    // Stopping anyway: what was not synced is what a crash would have lost, and a
    // restart verifies the log.
  }
  if (blocks_fd_ >= 0) ::close(blocks_fd_);
  if (aborts_fd_ >= 0) ::close(aborts_fd_);
}

Result<FileBlockStore::Loaded> FileBlockStore::open(const std::filesystem::path& dir, const Block& genesis,
                                                    bool fsync, const EachBlock& each,
                                                    std::shared_ptr<const KeyRing> keys) {
  if (auto e = make_dirs(dir)) return *e;
  const auto blocks_path = dir / "blocks.jsonl";
  const auto aborts_path = dir / "aborts.jsonl";
  const bool fresh = !std::filesystem::exists(blocks_path);

  // Verify everything before changing anything.
  ChainState state(genesis, std::move(keys));
  std::deque<std::uint64_t> offsets;
  std::vector<AbortRecord> abort_records;
  std::vector<std::string> notes;
  Scan blocks, aborts;
  if (!fresh) {
    auto scanned = scan_blocks(blocks_path, genesis, each, state, offsets, notes);
    if (!scanned) return scanned.error();
    blocks = *scanned;
  }
  const bool aborts_missing = !std::filesystem::exists(aborts_path);
  if (!aborts_missing) {
    auto scanned = scan_aborts(aborts_path, abort_records);
    if (!scanned) return scanned.error();
    aborts = *scanned;
  }
  if (!fresh && offsets.empty() && !blocks.torn)
    return make_error("store.corrupt", blocks_path.string() + " is empty: it has no genesis block");

  for (const auto& [path, scan] : {std::pair{&blocks_path, &blocks}, std::pair{&aborts_path, &aborts}})
    if (auto e = cut_torn_end(*path, *scan, notes)) return *e;
  // Only the newest aborts are kept; a file of more (from a crash before the compaction
  // below, or older code) is compacted now.
  std::deque<std::string> newest;
  const bool trim = abort_records.size() > max_kept_aborts;
  if (trim) abort_records.erase(abort_records.begin(), abort_records.end() - static_cast<std::ptrdiff_t>(max_kept_aborts));
  for (const auto& a : abort_records) newest.push_back(abort_record_text(a));
  if (trim) {
    if (auto e = replace_file(aborts_path, newest, fsync)) return *e;
    sync_dir(dir);
  }
  auto fds = open_both(blocks_path, aborts_path);
  if (!fds) return fds.error();
  // A file made here is in the folder only once the folder is synced: for a new chain below,
  // after its genesis; here when aborts.jsonl alone was missing.
  if (!fresh && aborts_missing) sync_dir(dir);
  std::shared_ptr<FileBlockStore> store(new FileBlockStore(dir, fds->first, fds->second, fsync));
  store->abort_lines_ = newest.size();
  store->newest_aborts_ = std::move(newest);
  store->offsets_ = std::move(offsets);
  store->end_ = blocks.good_end;
  if (store->offsets_.empty()) {  // a new chain: genesis, on disk before anything else
    store->append(genesis);
    store->sync();
    sync_dir(dir);
  }
  return Loaded{Chain(std::move(state), std::move(store)), std::move(abort_records), std::move(notes)};
}

void FileBlockStore::write_all(int fd, const std::string& text, const char* what) const {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("cannot write ") + what + " in " + dir_.string() + ": " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  bytes_written_ += text.size();
  (fd == blocks_fd_ ? blocks_dirty_ : aborts_dirty_) = true;
}

// Appended lines wait in `unwritten_` and go to the file in one write at the next sync or
// read: one system call per critical section instead of one per block. Until sync() nothing
// was promised, so a crash losing them loses nothing anyone was told of.
void FileBlockStore::append(const Block& block) {
  std::size_t before = unwritten_.size();
  unwritten_ += block_text(block);
  unwritten_ += '\n';
  offsets_.push_back(end_);
  end_ += unwritten_.size() - before;
  blocks_dirty_ = true;
}

void FileBlockStore::write_unwritten() const {
  if (unwritten_.empty()) return;
  write_all(blocks_fd_, unwritten_, "blocks.jsonl");
  unwritten_.clear();
}

// The blocks appended before the abort reach the file first: an abort is decided against
// them, and must not outlive them in a crash.
void FileBlockStore::record_abort(const AbortRecord& abort) {
  write_unwritten();
  std::string line = abort_record_text(abort);
  write_all(aborts_fd_, line + "\n", "aborts.jsonl");
  newest_aborts_.push_back(std::move(line));
  if (newest_aborts_.size() > max_kept_aborts) newest_aborts_.pop_front();
  if (++abort_lines_ >= 2 * max_kept_aborts) compact_aborts();
}

// aborts.jsonl back to its newest max_kept_aborts lines (the file then holds what the txid
// memory keeps): rewritten beside and renamed over, then reopened for appending.
void FileBlockStore::compact_aborts() {
  sync();  // the blocks first: an abort must not outlive the blocks it was decided after
  const auto path = dir_ / "aborts.jsonl";
  if (auto e = replace_file(path, newest_aborts_, fsync_)) throw std::runtime_error(e->message);
  if (fsync_) sync_dir(dir_);
  for (const auto& line : newest_aborts_) bytes_written_ += line.size() + 1;
  auto fd = open_append(path);
  if (!fd) throw std::runtime_error(fd.error().message);
  ::close(aborts_fd_);
  aborts_fd_ = *fd;
  aborts_dirty_ = false;
  abort_lines_ = newest_aborts_.size();
}

// Only a file written since its last fdatasync is synced again: even an unchanged file's
// fdatasync costs a third of a changed one's here, and the aborts file rarely changes. The
// time the fdatasyncs take is the store's to measure (the ledger core reads no clock).
std::optional<std::int64_t> FileBlockStore::sync() {
  write_unwritten();
  std::optional<std::int64_t> took;
  for (auto [fd, dirty] : {std::pair{blocks_fd_, &blocks_dirty_}, std::pair{aborts_fd_, &aborts_dirty_}}) {
    if (!*dirty) continue;
    *dirty = false;
    if (!fsync_) continue;
    auto start = std::chrono::steady_clock::now();
    if (::fdatasync(fd) != 0)
      throw std::runtime_error("cannot sync the block log in " + dir_.string() + ": " + std::strerror(errno));
    took = took.value_or(0) +
           std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  }
  return took;
}

std::vector<Block> FileBlockStore::read(std::uint64_t from, std::uint64_t limit) const {
  write_unwritten();
  std::vector<Block> out;
  if (from >= offsets_.size() || limit == 0) return out;
  std::uint64_t to = std::min<std::uint64_t>(offsets_.size(), from + std::min<std::uint64_t>(limit, offsets_.size()));
  std::uint64_t begin = offsets_[from], end = to < offsets_.size() ? offsets_[to] : end_;
  std::string buf(end - begin, '\0');
  std::size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::pread(blocks_fd_, buf.data() + got, buf.size() - got, static_cast<off_t>(begin + got));
    if (n <= 0) throw std::runtime_error("cannot read the block log in " + dir_.string());
    got += static_cast<std::size_t>(n);
  }
  std::size_t pos = 0;
  while (pos < buf.size()) {
    auto nl = buf.find('\n', pos);
    auto b = decode_block(std::string_view(buf).substr(pos, nl - pos), buf.size());
    if (!b) throw std::runtime_error("the block log in " + dir_.string() + " changed under the node");
    out.push_back(std::move(*b));
    pos = nl + 1;
  }
  return out;
}

}  // namespace bank
