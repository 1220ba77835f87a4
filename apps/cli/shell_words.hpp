// A line typed at bank-cli's prompt (or piped to it) split into words the way a shell
// would, so that a line and the same words on the command line mean the same thing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "messages/result.hpp"

namespace bank::cli {

// Words separated by blanks; '...' keeps everything inside as it is, "..." too except that
// a backslash there escapes '"' and '\'; outside quotes a backslash escapes the next
// character. A '#' that begins a word starts a comment to the end of the line. A blank or
// comment-only line is no words. An unclosed quote or a trailing backslash: words.unclosed.
Result<std::vector<std::string>> split_shell_words(std::string_view line);

}  // namespace bank::cli
