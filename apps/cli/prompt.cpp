// Prompt: libedit's readline interface. Its completion hook is a plain function, so the
// node ids it offers live in this file while a Prompt exists (there is one at a time).
#include "apps/cli/prompt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <editline/readline.h>

#include "apps/cli/cli_grammar.hpp"
#include "apps/cli/shell_words.hpp"

namespace bank::cli {

namespace {

volatile std::sig_atomic_t sigint_seen = 0;
extern "C" void on_sigint(int) { sigint_seen = 1; }

// libedit's key reader. While a line is read, SIGINT is blocked everywhere but inside ppoll,
// which unblocks it atomically: a Ctrl-C typed between the prompt and the wait for a key ends
// the wait. With a plain read() it was lost there (the handler ran before read() blocked,
// and read() then waited for the next key), which a loaded machine made visible.
extern "C" int read_key(FILE* in) {
  const int fd = fileno(in);
  sigset_t waiting;
  pthread_sigmask(SIG_SETMASK, nullptr, &waiting);
  sigdelset(&waiting, SIGINT);
  for (;;) {
    if (sigint_seen) return EOF;  // readline() returns null; read() tells it from end of input
    pollfd p{fd, POLLIN, 0};
    const int ready = ppoll(&p, 1, nullptr, &waiting);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return EOF;
    unsigned char key = 0;
    const ssize_t n = ::read(fd, &key, 1);
    if (n == 1) return key;
    if (n < 0 && errno == EINTR) continue;
    return EOF;
  }
}
struct sigaction previous_sigint {};

std::vector<NodeId> completion_nodes;
std::vector<std::string> completion_words;  // what the generator hands out

char* next_completion(const char*, int state) {
  static std::size_t next = 0;
  if (state == 0) next = 0;
  if (next >= completion_words.size()) return nullptr;
  return strdup(completion_words[next++].c_str());  // libedit frees it
}

// libedit's hook: the word being typed is line[start, end); the words before it decide.
char** complete(const char* text, int start, int) {
  auto before = split_shell_words(std::string_view(rl_line_buffer, static_cast<std::size_t>(start)));
  if (!before) {
    rl_attempted_completion_over = 1;
    return nullptr;
  }
  auto words = CliGrammar::completions(*before, text, completion_nodes);
  if (!words) return nullptr;  // a file name goes here: libedit completes those
  rl_attempted_completion_over = 1;
  completion_words = std::move(*words);
  if (completion_words.empty()) return nullptr;
  return rl_completion_matches(text, next_completion);
}

}  // namespace

Prompt::Prompt(std::string prompt, std::optional<std::filesystem::path> history_file, std::vector<NodeId> nodes)
    : prompt_(std::move(prompt)), history_file_(std::move(history_file)) {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, &previous_sigint);
  completion_nodes = std::move(nodes);
  rl_readline_name = "bank-cli";
  rl_getc_function = read_key;
  rl_attempted_completion_function = complete;
  using_history();
  stifle_history(history_size);
  if (history_file_) read_history(history_file_->c_str());  // a missing file is no history yet
}

Prompt::~Prompt() {
  sigaction(SIGINT, &previous_sigint, nullptr);
  completion_nodes.clear();
}

std::optional<std::string> Prompt::read() {
  for (;;) {
    sigint_seen = 0;
    sigset_t sigint, before;
    sigemptyset(&sigint);
    sigaddset(&sigint, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigint, &before);  // let in only where read_key waits
    char* raw = readline(prompt_.c_str());
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    if (raw) {
      std::string line = raw;
      std::free(raw);
      return line;
    }
    // libedit ends the line on a signal as on end of input: the flag tells them apart.
    if (sigint_seen) {
      std::fputs("^C\n", stdout);
      std::fflush(stdout);
      continue;
    }
    std::fputs("\n", stdout);
    std::fflush(stdout);
    return std::nullopt;
  }
}

void Prompt::remember(const std::string& line) {
  add_history(line.c_str());
  if (!history_file_) return;
  // Created private before anything is written to it (commands may name txids and keys).
  const int fd = open(history_file_->c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd >= 0) close(fd);
  write_history(history_file_->c_str());
}

bool Prompt::interrupted() { return sigint_seen != 0; }

std::optional<std::filesystem::path> Prompt::default_history_file() {
  const char* home = std::getenv("HOME");
  if (!home || !*home) return std::nullopt;
  return std::filesystem::path(home) / ".bank_cli_history";
}

}  // namespace bank::cli
