// power_cut_shim: an LD_PRELOAD library for the power-cut tests. It keeps, beside a node's
// data folder, the files a power cut would leave at this moment, so that a test can kill the
// node (SIGKILL keeps the page cache) and then put that on disk instead (LazyFS's idea,
// without FUSE). The model is the one POSIX promises and ext4 keeps:
//  - a file's bytes are on disk as of its last fsync/fdatasync; later writes, truncations
//    included, are lost at the cut;
//  - a name in a folder is on disk as of the folder's last fsync: a file created or renamed
//    in a folder never synced since disappears at the cut (a rename is undone), and so does
//    a folder made there;
//  - the data folder itself (POWERCUT_ROOT) is on disk if it existed when the node started,
//    or once its parent folder was synced after it was made; folders above it are taken as
//    on disk.
// Environment: POWERCUT_ROOT (the node's data folder, absolute) and POWERCUT_STATE (a folder
// of the shim's own, outside the root). The shim keeps POWERCUT_STATE/tree equal to what a cut
// leaves of the root, and POWERCUT_STATE/root-lost exists while the root's own name is not on
// disk. Applying a cut: delete the root, then copy the tree to it unless root-lost exists.
// Everything on disk when the node starts counts as synced (a clean stop's page cache is
// written back in time; after a cut, the tree was applied).
//
// Only fsync, fdatasync, mkdir and the opens that create files are intercepted: writes,
// renames, unlinks and truncations change the real files as usual, and the shim reads the
// real file or folder when it is synced. Threads: one lock around the shim's state, so a
// sync thread may fdatasync while another writes (the bytes a concurrent write had put in
// place by the snapshot count as synced, which a disk may do too).
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace {

namespace fs = std::filesystem;
using Key = std::pair<dev_t, ino_t>;

struct Entry {
  bool dir = false;
  Key key{};  // files only
};
using Listing = std::map<std::string, Entry>;

template <typename F>
F real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}
using OpenFn = int (*)(const char*, int, ...);
using OpenAtFn = int (*)(int, const char*, int, ...);
using SyncFn = int (*)(int);
using MkdirFn = int (*)(const char*, mode_t);
using MkdirAtFn = int (*)(int, const char*, mode_t);

// The shim's own file work (reading what is synced, writing the tree) goes through the real
// functions: this flag sends a call made from inside the shim straight through.
thread_local bool in_shim = false;

class Shim {
 public:
  static Shim& get() {
    static Shim* s = new Shim;  // never destroyed: calls may come during exit
    return *s;
  }
  bool active() const { return active_; }

  // fsync and fdatasync: the snapshot, then the real call.
  int sync(int fd, SyncFn fn) {
    if (active_ && !in_shim) {
      std::lock_guard lock(mu_);
      in_shim = true;
      synced(fd);
      in_shim = false;
    }
    return fn(fd);
  }

  // A file an open created (it did not exist before): nothing of it is synced yet, whatever
  // file had its inode before.
  void created(int fd) {
    if (!active_ || in_shim || fd < 0) return;
    std::lock_guard lock(mu_);
    in_shim = true;
    struct stat st{};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && relative(fd_path(fd))) synced_[{st.st_dev, st.st_ino}].clear();
    in_shim = false;
  }

  // A folder mkdir made: none of its entries is on disk yet.
  void made_dir(const std::string& path) {
    if (!active_ || in_shim) return;
    std::lock_guard lock(mu_);
    in_shim = true;
    std::error_code ec;
    auto p = fs::weakly_canonical(fs::absolute(path), ec).string();
    if (auto rel = relative(p)) durable_[*rel] = {};
    in_shim = false;
  }

  // Might `path` be in the root? A relative one is decided after the open, by the file's
  // real path.
  bool maybe_under_root(const char* path) const {
    if (!active_ || in_shim) return false;
    return path[0] != '/' || std::string(path).rfind(root_, 0) == 0;
  }

 private:
  Shim() {
    const char* root = std::getenv("POWERCUT_ROOT");
    const char* state = std::getenv("POWERCUT_STATE");
    if (!root || !state) return;
    in_shim = true;
    std::error_code ec;
    root_ = fs::weakly_canonical(root, ec).string();
    state_ = fs::weakly_canonical(state, ec).string();
    tree_ = state_ + "/tree";
    fs::create_directories(state_, ec);
    if (fs::is_directory(root_)) {
      scan("");
      mark_root_lost(false);
    } else {
      durable_[""] = {};
      mark_root_lost(true);
    }
    rebuild();
    active_ = true;
    in_shim = false;
  }

  static std::string fd_path(int fd) {
    char buf[4096];
    auto link = "/proc/self/fd/" + std::to_string(fd);
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return {};
    return std::string(buf, static_cast<std::size_t>(n));
  }

  // The path inside the root ("" for the root itself), or nullopt when outside.
  std::optional<std::string> relative(const std::string& p) const {
    if (p == root_) return std::string();
    if (p.size() > root_.size() && p.rfind(root_, 0) == 0 && p[root_.size()] == '/') return p.substr(root_.size() + 1);
    return std::nullopt;
  }
  static std::string join(const std::string& rel, const std::string& name) { return rel.empty() ? name : rel + "/" + name; }
  std::string real_path(const std::string& rel) const { return rel.empty() ? root_ : root_ + "/" + rel; }
  std::string tree_path(const std::string& rel) const { return rel.empty() ? tree_ : tree_ + "/" + rel; }

  static std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  Listing list(const std::string& rel) {
    Listing out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(real_path(rel), ec)) {
      struct stat st{};
      if (::lstat(e.path().c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode))
        out[e.path().filename().string()] = Entry{true, {}};
      else if (S_ISREG(st.st_mode))
        out[e.path().filename().string()] = Entry{false, {st.st_dev, st.st_ino}};
    }
    return out;
  }

  // At start: everything there is on disk.
  void scan(const std::string& rel) {
    auto listing = list(rel);
    durable_[rel] = listing;
    for (const auto& [name, e] : listing) {
      if (e.dir)
        scan(join(rel, name));
      else
        synced_[e.key] = read_all(real_path(join(rel, name)));
    }
  }

  void mark_root_lost(bool lost) {
    auto marker = state_ + "/root-lost";
    if (lost)
      std::ofstream(marker).put('\n');
    else
      ::unlink(marker.c_str());
  }

  // Is the folder `rel` on disk through every folder above it (up to the root)?
  bool reachable(const std::string& rel) const {
    if (rel.empty()) return true;
    auto slash = rel.rfind('/');
    std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
    std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
    auto d = durable_.find(parent);
    if (d == durable_.end()) return false;
    auto e = d->second.find(name);
    return e != d->second.end() && e->second.dir && reachable(parent);
  }

  // Writes the tree below `rel` again from what is on disk.
  void write_tree(const std::string& rel) {
    std::error_code ec;
    fs::create_directories(tree_path(rel), ec);
    for (const auto& [name, e] : durable_[rel]) {
      auto child = join(rel, name);
      if (e.dir) {
        write_tree(child);
      } else {
        std::ofstream out(tree_path(child), std::ios::binary | std::ios::trunc);
        const auto& bytes = synced_[e.key];
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      }
    }
  }
  // A node killed in the middle of this leaves the tree before or after it, never half of
  // one: the new tree is written beside and swapped in at once.
  void rebuild() {
    std::error_code ec;
    const std::string tree = tree_;
    tree_ = state_ + "/tree.new";
    fs::remove_all(tree_, ec);
    write_tree("");
    tree_ = tree;
    if (!fs::exists(tree_)) fs::create_directories(tree_, ec);
    ::renameat2(AT_FDCWD, (state_ + "/tree.new").c_str(), AT_FDCWD, tree_.c_str(), RENAME_EXCHANGE);
    fs::remove_all(state_ + "/tree.new", ec);
  }

  void synced(int fd) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
      auto path = fd_path(fd);
      if (auto rel = relative(path)) {
        auto listing = list(*rel);
        for (const auto& [name, e] : listing)
          if (e.dir && !durable_.contains(join(*rel, name))) durable_[join(*rel, name)] = {};
        durable_[*rel] = std::move(listing);
        rebuild();  // folders are synced seldom: at start and at a compaction
      } else if (fs::path(root_).parent_path() == path) {
        mark_root_lost(!fs::is_directory(root_));
      }
      return;
    }
    if (!S_ISREG(st.st_mode)) return;
    auto path = fd_path(fd);
    // An unlinked file's path ends in " (deleted)": what it held may still be on disk under a
    // name whose folder was not synced since.
    if (!relative(path) && !(path.size() > 10 && relative(path.substr(0, path.size() - 10)))) return;
    Key key{st.st_dev, st.st_ino};
    std::string now = read_all("/proc/self/fd/" + std::to_string(fd));
    std::string& before = synced_[key];
    const bool grew = now.size() >= before.size() && now.compare(0, before.size(), before) == 0;
    for (const auto& [dir, listing] : durable_) {
      if (!reachable(dir)) continue;
      for (const auto& [name, e] : listing) {
        if (e.dir || e.key != key) continue;
        auto out_path = tree_path(join(dir, name));
        if (grew) {
          std::ofstream out(out_path, std::ios::binary | std::ios::app);
          out.write(now.data() + before.size(), static_cast<std::streamsize>(now.size() - before.size()));
        } else {  // beside, then renamed over: a kill leaves the old bytes or the new
          {
            std::ofstream out(out_path + ".new", std::ios::binary | std::ios::trunc);
            out.write(now.data(), static_cast<std::streamsize>(now.size()));
          }
          ::rename((out_path + ".new").c_str(), out_path.c_str());
        }
      }
    }
    before = std::move(now);
  }

  bool active_ = false;
  std::mutex mu_;
  std::string root_, state_, tree_;
  std::map<std::string, Listing> durable_;  // each folder's names on disk, by path in the root
  std::map<Key, std::string> synced_;       // each file's bytes on disk
};

// Runs `open_call` and tells the shim when it created the file.
template <typename F>
int opened(int dirfd, const char* path, int flags, F open_call) {
  if (in_shim || !(flags & O_CREAT)) return open_call();
  auto& shim = Shim::get();
  if (!shim.maybe_under_root(path)) return open_call();
  struct stat st{};
  const bool existed = ::fstatat(dirfd, path, &st, 0) == 0;
  int fd = open_call();
  if (!existed) shim.created(fd);
  return fd;
}

mode_t mode_of(int flags, va_list ap) { return (flags & (O_CREAT | O_TMPFILE)) ? static_cast<mode_t>(va_arg(ap, int)) : 0; }

}  // namespace

extern "C" {

__attribute__((constructor)) static void power_cut_shim_start() { Shim::get(); }

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_of(flags, ap);
  va_end(ap);
  static auto fn = real<OpenFn>("open");
  return opened(AT_FDCWD, path, flags, [&] { return fn(path, flags, mode); });
}
int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_of(flags, ap);
  va_end(ap);
  static auto fn = real<OpenFn>("open64");
  return opened(AT_FDCWD, path, flags, [&] { return fn(path, flags, mode); });
}
int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_of(flags, ap);
  va_end(ap);
  static auto fn = real<OpenAtFn>("openat");
  return opened(dirfd, path, flags, [&] { return fn(dirfd, path, flags, mode); });
}
int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_of(flags, ap);
  va_end(ap);
  static auto fn = real<OpenAtFn>("openat64");
  return opened(dirfd, path, flags, [&] { return fn(dirfd, path, flags, mode); });
}
int creat(const char* path, mode_t mode) { return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode); }

int mkdir(const char* path, mode_t mode) {
  static auto fn = real<MkdirFn>("mkdir");
  int rc = fn(path, mode);
  if (rc == 0 && !in_shim) Shim::get().made_dir(path);
  return rc;
}
int mkdirat(int dirfd, const char* path, mode_t mode) {
  static auto fn = real<MkdirAtFn>("mkdirat");
  int rc = fn(dirfd, path, mode);
  if (rc == 0 && !in_shim && (dirfd == AT_FDCWD || path[0] == '/')) Shim::get().made_dir(path);
  return rc;
}

int fsync(int fd) {
  static auto fn = real<SyncFn>("fsync");
  return in_shim ? fn(fd) : Shim::get().sync(fd, fn);
}
int fdatasync(int fd) {
  static auto fn = real<SyncFn>("fdatasync");
  return in_shim ? fn(fd) : Shim::get().sync(fd, fn);
}

}  // extern "C"
