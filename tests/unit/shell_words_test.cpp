// split_shell_words: a prompt line becomes the words a shell would pass.
#include "apps/cli/shell_words.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using bank::cli::split_shell_words;
using Words = std::vector<std::string>;

TEST_CASE("shell words: blanks separate, quotes and backslashes keep") {
  CHECK(*split_shell_words("transfer 2 4.50") == Words{"transfer", "2", "4.50"});
  CHECK(*split_shell_words("  balance\t 2  ") == Words{"balance", "2"});
  CHECK(*split_shell_words("transfer 2 4 --txid 'my tx'") == Words{"transfer", "2", "4", "--txid", "my tx"});
  CHECK(*split_shell_words("transfer 2 4 --txid \"a \\\"b\\\" \\\\c\"") ==
        Words{"transfer", "2", "4", "--txid", "a \"b\" \\c"});
  CHECK(*split_shell_words("x\\ y 'it''s' \"\"") == Words{"x y", "its", ""});
  CHECK(*split_shell_words("transfer 2 '$4.50'") == Words{"transfer", "2", "$4.50"});
  CHECK(*split_shell_words("a'b'c") == Words{"abc"});
}

TEST_CASE("shell words: blank lines and comments are no words, a # inside a word is kept") {
  CHECK(split_shell_words("")->empty());
  CHECK(split_shell_words("   \t ")->empty());
  CHECK(split_shell_words("# a comment")->empty());
  CHECK(split_shell_words("   # indented")->empty());
  CHECK(*split_shell_words("balance 2 # whose?") == Words{"balance", "2"});
  CHECK(*split_shell_words("transfer 2 4 --txid a#1") == Words{"transfer", "2", "4", "--txid", "a#1"});
  CHECK(*split_shell_words("status '#not a comment'") == Words{"status", "#not a comment"});
}

TEST_CASE("shell words: an unclosed quote or a lone backslash at the end is an error") {
  for (const char* bad : {"transfer 2 'oops", "say \"no end", "status \\"}) {
    CAPTURE(bad);
    REQUIRE_FALSE(split_shell_words(bad).ok());
    CHECK(split_shell_words(bad).error().id == "words.unclosed");
  }
}
