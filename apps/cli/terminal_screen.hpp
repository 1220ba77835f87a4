// TerminalScreen: a whole-screen view for bank-cli watch. On a terminal it switches to the
// alternate screen, hides the cursor and reads keys one by one without echo (Ctrl-C still
// signals); each draw replaces the screen. Its destructor puts everything back, so the
// shell's screen is as it was after q, Ctrl-C or an error. Not on a terminal (a pipe), it
// prints each frame after a blank line and reads no keys.
#pragma once

#include <termios.h>

#include <csignal>
#include <chrono>
#include <optional>
#include <string>

namespace bank::cli {

class TerminalScreen {
 public:
  TerminalScreen();
  ~TerminalScreen();
  TerminalScreen(const TerminalScreen&) = delete;
  TerminalScreen& operator=(const TerminalScreen&) = delete;

  void draw(const std::string& text);
  // Waits up to `wait` for a key; the key, or nullopt (none, or not a terminal).
  std::optional<char> key(std::chrono::milliseconds wait);
  // Ctrl-C since the screen opened.
  static bool interrupted();

 private:
  bool tty_out_ = false, tty_in_ = false;
  std::optional<termios> saved_;
  struct sigaction previous_sigint_ {};
};

}  // namespace bank::cli
