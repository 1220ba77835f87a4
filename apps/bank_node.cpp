// bank-node: runs one node of the cluster in the foreground.
//   bank-node --config FILE --id N [--log FILE]
// Exit 2 with one line on stderr for a bad config, an unknown id, an unwritable log or a
// port in use; SIGTERM/SIGINT stop it cleanly with exit 0. SIGHUP reopens --log FILE (log
// rotation: logrotate renames the file, then signals; later lines go to a new FILE).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "node/node.hpp"
#include "config/cluster_config.hpp"

namespace {

// The log is created 0600: it shows every transfer and peer message. A process killed in the
// middle of a write leaves a torn last line; it is ended here, so that it stays one bad line
// and does not swallow the first line of this run.
std::FILE* open_log(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  struct stat st{};
  char last = '\n';
  if (::fstat(fd, &st) == 0 && st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
    (void)!::write(fd, "\n", 1);
  std::FILE* f = ::fdopen(fd, "a");
  if (!f) ::close(fd);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Lamport Bank node: runs node N of the cluster in FILE in the foreground", "bank-node"};
  app.set_version_flag("--version", "bank-node " BANK_VERSION);
  std::string config_path, log_path;
  bank::NodeId id = 0;
  app.add_option("--config", config_path, "cluster config (YAML or JSON)")->required();
  app.add_option("--id", id, "this node's id in the config")->required();
  app.add_option("--log", log_path, "append the JSON log here instead of stdout");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "bank-node: %s (try --help)\n", e.what());
    return 2;
  }

  auto config = bank::ClusterConfig::load(config_path);
  if (!config) {
    std::fprintf(stderr, "bank-node: %s: %s\n", config_path.c_str(), config.error().message.c_str());
    return 2;
  }
  if (!config->find(id)) {
    std::string ids;
    for (const auto& n : config->nodes) ids += (ids.empty() ? "" : ", ") + std::to_string(n.id);
    std::fprintf(stderr, "bank-node: node %u is not in %s (its nodes: %s)\n", id, config_path.c_str(), ids.c_str());
    return 2;
  }
  std::FILE* log = stdout;
  std::error_code ec;
  const bool log_existed = !log_path.empty() && std::filesystem::exists(log_path, ec);
  if (!log_path.empty() && !(log = open_log(log_path))) {
    std::fprintf(stderr, "bank-node: cannot open log file %s\n", log_path.c_str());
    return 2;
  }

  // Every peer and console connection is a descriptor: take all the system allows us
  // (the soft limit up to the hard one) rather than refuse connections at the default 1,024.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }

  // Signals are taken by sigwait on this thread alone: block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    bank::Node node(*config, id, log);
    node.start();
    int sig = 0;
    while (sigwait(&stop_signals, &sig) == 0 && sig == SIGHUP) {
      if (log_path.empty()) continue;  // logging to stdout: nothing to reopen
      std::FILE* next = open_log(log_path);
      if (!next) {  // keep writing to the old file rather than lose lines
        std::fprintf(stderr, "bank-node: cannot reopen log file %s; still writing to the old one\n", log_path.c_str());
        continue;
      }
      std::fclose(node.replace_log(next));
      log = next;
    }
    node.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bank-node: %s\n", e.what());
    // A refused start changes nothing on disk: not even an empty log file of its own.
    if (log != stdout && !log_existed && std::ftell(log) == 0) std::filesystem::remove(log_path, ec);
    return 2;
  }
  if (log != stdout) std::fclose(log);
  return 0;
}
