// PtyDriver: runs a program on a pseudo-terminal (forkpty), as a person at a terminal would
// meet it: keys typed, the screen's bytes read back, signals from the terminal (Ctrl-C is
// the terminal's SIGINT), and the exit collected. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bank::e2e {

class PtyDriver {
 public:
  // Starts argv[0] (a path) with the environment's variables plus `env`'s.
  PtyDriver(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~PtyDriver();  // kills the program if it still runs
  PtyDriver(const PtyDriver&) = delete;
  PtyDriver& operator=(const PtyDriver&) = delete;

  // Keys as bytes: "\t" Tab, "\r" Enter, "\x03" Ctrl-C, "\x04" Ctrl-D, "\x1b[A" up.
  void type(std::string_view keys);
  // Waits until `text` appears in what the program wrote after the last text waited for;
  // false when it did not within `bound`.
  bool wait_for(std::string_view text, std::chrono::milliseconds bound = std::chrono::seconds(10));
  // Waits until a line editor reads the keys one by one (editing: the terminal is out of
  // canonical mode, as libedit sets it while a line is typed), or until none does (the
  // line was taken and the program works on it). libedit prints its prompt a moment before
  // it switches, and keys typed in between meet the terminal's own line discipline instead
  // (echoed twice, a Ctrl-D lost), so a test types only once the mode is right.
  bool wait_for_editing(bool editing, std::chrono::milliseconds bound = std::chrono::seconds(10));
  // Everything written so far, and what came after the last text waited for.
  const std::string& screen() const { return out_; }
  std::string unread() const { return out_.substr(cursor_); }
  // The exit code once the program ends (and everything it wrote is read); -1 when it was
  // killed by a signal or still ran after `bound` (it is then killed).
  int wait_exit(std::chrono::milliseconds bound = std::chrono::seconds(10));

 private:
  // Reads what comes within `wait`: the bytes read, 0 for none, -1 at the end of output.
  long pump(std::chrono::milliseconds wait);

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string out_;
  std::size_t cursor_ = 0;
  int exit_code_ = -1;
  bool exited_ = false;
};

}  // namespace bank::e2e
