// IncarnationFile: reading, choosing and writing the node's incarnation.
#include "node/incarnation_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace bank {

namespace {

Error io_error(const std::filesystem::path& p, const std::string& what) {
  return make_error("incarnation.io", "cannot " + what + " " + p.string() + ": " + std::strerror(errno));
}

bool sync_fd_of(const std::filesystem::path& p, int flags) {
  int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::uint64_t IncarnationFile::next(std::uint64_t clock_us, std::optional<std::uint64_t> last) {
  if (!last) return clock_us;
  return std::max(clock_us, *last + kGap);
}

Result<std::uint64_t> IncarnationFile::advance(const std::filesystem::path& dir, std::uint64_t clock_us, bool fsync) {
  const auto path = dir / "incarnation";
  std::optional<std::uint64_t> last;
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::uint64_t value = 0;
    if (!text.empty() && text.back() == '\n') text.pop_back();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
      return make_error("incarnation.corrupt", path.string() + " holds no incarnation number (it should be one decimal number)");
    last = value;
  }
  const std::uint64_t inc = next(clock_us, last);
  // Beside, then renamed over: a crash leaves the old number or the new one.
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << inc << '\n';
    if (!out.flush()) return io_error(tmp, "write");
  }
  if (fsync && !sync_fd_of(tmp, O_RDONLY)) return io_error(tmp, "sync");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return io_error(path, "replace");
  if (fsync && !sync_fd_of(dir, O_RDONLY | O_DIRECTORY)) return io_error(dir, "sync");
  return inc;
}

}  // namespace bank
