// Prompt: bank-cli's interactive line reader over libedit: line editing, a bounded history
// file, Tab completion from the grammar, and a Ctrl-C that clears the line (or gives up
// waiting for a reply) instead of ending the program.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "messages/types.hpp"

namespace bank::cli {

class Prompt {
 public:
  // Lines kept in the history file, the newest.
  static constexpr int history_size = 1000;

  // Installs the SIGINT handler for the prompt's life (without SA_RESTART, so a wait for a
  // reply sees it) and reads the history file, if any. `nodes`: the ids Tab offers.
  Prompt(std::string prompt, std::optional<std::filesystem::path> history_file, std::vector<NodeId> nodes);
  ~Prompt();  // restores SIGINT's handler
  Prompt(const Prompt&) = delete;
  Prompt& operator=(const Prompt&) = delete;

  // The next line. Ctrl-C while typing: "^C", the line dropped, a fresh prompt. Ctrl-D on an
  // empty line: a newline (so the shell's prompt starts on a line of its own), then nullopt.
  std::optional<std::string> read();
  // Adds the line to the history and saves the file (0600), so that a killed prompt loses
  // nothing.
  void remember(const std::string& line);
  // Ctrl-C was pressed since the last read(): the command under way gives up.
  static bool interrupted();

  // ~/.bank_cli_history, or nullopt without $HOME.
  static std::optional<std::filesystem::path> default_history_file();

 private:
  std::string prompt_;
  std::optional<std::filesystem::path> history_file_;
};

}  // namespace bank::cli
