// TerminalScreen: plain ANSI sequences (alternate screen 1049, cursor 25, clear and home),
// which every terminal emulator in use knows; termios for the keys.
#include "apps/cli/terminal_screen.hpp"

#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

namespace bank::cli {

namespace {
volatile std::sig_atomic_t sigint_seen = 0;
void on_sigint(int) { sigint_seen = 1; }
}  // namespace

TerminalScreen::TerminalScreen() : tty_out_(isatty(STDOUT_FILENO)), tty_in_(isatty(STDIN_FILENO)) {
  sigint_seen = 0;
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &previous_sigint_);
  if (tty_in_) {
    termios t{};
    if (tcgetattr(STDIN_FILENO, &t) == 0) {
      saved_ = t;
      t.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
      t.c_cc[VMIN] = 1;
      t.c_cc[VTIME] = 0;
      tcsetattr(STDIN_FILENO, TCSANOW, &t);
    }
  }
  if (tty_out_) {
    std::fputs("\x1b[?1049h\x1b[?25l", stdout);
    std::fflush(stdout);
  }
}

TerminalScreen::~TerminalScreen() {
  if (tty_out_) {
    std::fputs("\x1b[?25h\x1b[?1049l", stdout);
    std::fflush(stdout);
  }
  if (saved_) tcsetattr(STDIN_FILENO, TCSANOW, &*saved_);
  sigaction(SIGINT, &previous_sigint_, nullptr);
}

void TerminalScreen::draw(const std::string& text) {
  if (tty_out_) {
    // Home, the frame with each line's rest cleared, then the rest of the screen cleared: no
    // flicker from clearing first.
    std::string frame = "\x1b[H";
    for (std::size_t at = 0; at < text.size();) {
      auto end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      frame += text.substr(at, end - at) + "\x1b[K\r\n";
      at = end + 1;
    }
    frame += "\x1b[J";
    std::fputs(frame.c_str(), stdout);
  } else {
    std::printf("\n%s", text.c_str());
  }
  std::fflush(stdout);
}

std::optional<char> TerminalScreen::key(std::chrono::milliseconds wait) {
  if (!tty_in_) {
    ::poll(nullptr, 0, static_cast<int>(wait.count()));
    return std::nullopt;
  }
  pollfd p{STDIN_FILENO, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0 || !(p.revents & POLLIN)) return std::nullopt;
  char c = 0;
  if (::read(STDIN_FILENO, &c, 1) != 1) return std::nullopt;
  return c;
}

bool TerminalScreen::interrupted() { return sigint_seen != 0; }

}  // namespace bank::cli
