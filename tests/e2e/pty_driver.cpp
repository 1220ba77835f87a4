// PtyDriver: forkpty, then a poll loop on the terminal's master side.
#include "pty_driver.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace bank::e2e {

PtyDriver::PtyDriver(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  std::vector<std::string> copy = argv;
  std::vector<char*> args;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  winsize size{};
  size.ws_row = 24;
  size.ws_col = 100;
  pid_ = forkpty(&fd_, nullptr, nullptr, &size);
  if (pid_ < 0) throw std::runtime_error("forkpty failed");
  if (pid_ == 0) {
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    execv(args[0], args.data());
    _exit(127);
  }
}

PtyDriver::~PtyDriver() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) close(fd_);
}

void PtyDriver::type(std::string_view keys) {
  while (!keys.empty()) {
    ssize_t n = write(fd_, keys.data(), keys.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot type into the terminal");
    keys.remove_prefix(static_cast<std::size_t>(n));
  }
}

long PtyDriver::pump(std::chrono::milliseconds wait) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return 0;
  char buf[4096];
  ssize_t n = read(fd_, buf, sizeof buf);
  if (n <= 0) return -1;  // EIO: the program's side is closed
  out_.append(buf, static_cast<std::size_t>(n));
  return n;
}

bool PtyDriver::wait_for(std::string_view text, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    auto at = out_.find(text, cursor_);
    if (at != std::string::npos) {
      cursor_ = at + text.size();
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline || pump(std::chrono::milliseconds(50)) < 0) return false;
  }
}

bool PtyDriver::wait_for_editing(bool editing, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    termios mode{};  // the master side reads the terminal's settings
    if (tcgetattr(fd_, &mode) == 0 && ((mode.c_lflag & ICANON) == 0) == editing) return true;
    if (std::chrono::steady_clock::now() >= deadline || pump(std::chrono::milliseconds(5)) < 0) return false;
  }
}

int PtyDriver::wait_exit(std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!exited_ && std::chrono::steady_clock::now() < deadline) {
    pump(std::chrono::milliseconds(20));
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
  }
  if (!exited_) return -1;  // the destructor kills it
  while (pump(std::chrono::milliseconds(20)) > 0) {
  }  // what it wrote last, still in the terminal
  return exit_code_;
}

}  // namespace bank::e2e
