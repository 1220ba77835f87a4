// split_shell_words: a small state machine over the line's characters (POSIX sh quoting,
// without expansions: bank-cli's words never need $, globs or substitutions).
#include "apps/cli/shell_words.hpp"

namespace bank::cli {

Result<std::vector<std::string>> split_shell_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // a word has begun (an empty '' is a word too)
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;
    } else if (c == '\'') {
      const auto close = line.find('\'', i + 1);
      if (close == std::string_view::npos) return make_error("words.unclosed", "a ' quote is not closed");
      word += line.substr(i + 1, close - i - 1);
      in_word = true;
      i = close;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() && (line[j + 1] == '"' || line[j + 1] == '\\')) ++j;
        word += line[j];
      }
      if (j >= line.size()) return make_error("words.unclosed", "a \" quote is not closed");
      in_word = true;
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) return make_error("words.unclosed", "the line ends with a lone backslash");
      word += line[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace bank::cli
