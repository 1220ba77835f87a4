// ProcessCluster: config writing, process spawning and stopping, readiness, /proc reading.
#include "client/process_cluster.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace bank {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string exit_text(int e) {
  return e >= 0 ? "exited with code " + std::to_string(e) : "was killed by signal " + std::to_string(-e);
}
int decode_status(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status); }
}  // namespace

std::uint16_t ProcessCluster::free_port() {
  static std::set<std::uint16_t> handed;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    bool got = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
               ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    ::close(fd);
    if (!got) break;
    if (handed.insert(ntohs(a.sin_port)).second) return ntohs(a.sin_port);
  }
  throw std::runtime_error("no free loopback port");
}

ProcessCluster::ProcessCluster(std::filesystem::path dir, std::filesystem::path node_bin, ClusterSpec spec)
    : dir_(std::move(dir)), node_bin_(std::move(node_bin)), config_(dir_ / "cluster.yaml"), spec_(std::move(spec)) {
  for (int id = 1; id <= spec_.nodes; ++id) ports_[id] = {free_port(), free_port()};
  write_config(config_, {});
  if (spec_.security) {
    auto config = ClusterConfig::load(config_);
    if (!config) throw std::runtime_error(config.error().message);
    auto made = KeyFiles(config->keys_dir).create_missing(*config);
    if (!made) throw std::runtime_error(made.error().message);
  }
}

ProcessCluster::~ProcessCluster() {
  if (!pids_.empty()) stop_all(std::chrono::seconds(10));
}

void ProcessCluster::write_config(const std::filesystem::path& file,
                                  const std::map<int, std::uint16_t>& peer_ports) const {
  std::ofstream c(file);
  if (!spec_.written_by.empty()) c << "# written by " << spec_.written_by << "\n";
  c << "initial_balance: " << format_dollars(spec_.initial_balance) << "\n"
    << "data_dir: data\n"
    << "fsync: " << (spec_.fsync ? "true" : "false") << "\n";
  if (!spec_.security) c << "security: off\n";
  if (spec_.batch) c << "batch: " << *spec_.batch << "\n";
  if (spec_.hosting) c << "hosting: " << hosting_name(*spec_.hosting) << "\n";
  c << spec_.extra_yaml << "nodes:\n";
  for (const auto& [id, p] : ports_) {
    auto via = peer_ports.find(id);
    c << "  - id: " << id << "\n    host: " << host(id) << "\n    port: " << (via == peer_ports.end() ? p.first : via->second)
      << "\n    console: " << p.second << "\n";
  }
  c.flush();
  if (!c) throw std::runtime_error("cannot write " + file.string());
}

void ProcessCluster::set_host(int id, std::string host) {
  hosts_[id] = std::move(host);
  write_config(config_, {});
}

const std::string& ProcessCluster::host(int id) const {
  static const std::string loopback = "127.0.0.1";
  auto it = hosts_.find(id);
  return it == hosts_.end() ? loopback : it->second;
}

std::filesystem::path ProcessCluster::log_path(int id) const { return dir_ / ("node-" + std::to_string(id) + ".log"); }

std::string ProcessCluster::stderr_text(int id) const {
  std::ifstream in(dir_ / ("node-" + std::to_string(id) + ".stderr"));
  std::stringstream s;
  s << in.rdbuf();
  auto text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void ProcessCluster::start(int id, const std::optional<std::filesystem::path>& config) {
  std::string err = (dir_ / ("node-" + std::to_string(id) + ".stderr")).string();
  std::vector<std::string> args = launchers_[id];
  for (std::string a : {node_bin_.string(), std::string("--config"), config.value_or(config_).string(),
                        std::string("--id"), std::to_string(id), std::string("--log"), log_path(id).string()})
    args.push_back(std::move(a));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  for (auto& e : env_[id]) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + node_bin_.string() + ": " + std::strerror(rc));
  pids_[id] = pid;
  exits_.erase(id);
}

void ProcessCluster::start_all() {
  for (int id = 1; id <= spec_.nodes; ++id) start(id);
}

std::optional<int> ProcessCluster::reap(int id) {
  auto it = pids_.find(id);
  if (it == pids_.end()) {
    auto e = exits_.find(id);
    return e == exits_.end() ? std::nullopt : std::optional<int>(e->second);
  }
  int status = 0;
  if (::waitpid(it->second, &status, WNOHANG) != it->second) return std::nullopt;
  pids_.erase(it);
  return exits_[id] = decode_status(status);
}

std::optional<std::string> ProcessCluster::wait_ready(milliseconds bound) {
  auto deadline = Clock::now() + bound;
  std::vector<int> ids;
  for (const auto& [id, pid] : pids_) ids.push_back(id);
  for (int id : ids)
    if (auto why = wait_node_ready(id, deadline, bound)) return why;
  return std::nullopt;
}

std::optional<std::string> ProcessCluster::wait_node_ready(int id, Clock::time_point deadline, milliseconds bound) {
  std::string last = "no status reply";
  for (;;) {
    if (stopped()) return "interrupted";
    if (auto e = reap(id))
      return "node " + std::to_string(id) + " " + exit_text(*e) + " during start-up; its stderr:\n" + stderr_text(id);
    auto s = ask(id, StatusCmd{}, milliseconds(500));
    if (s) {
      last = console_reply_text(*s);
      const auto* status = std::get_if<StatusReply>(&*s);
      bool all = status != nullptr;
      for (std::size_t i = 0; all && i < status->peers.size(); ++i)
        all = status->peers[i].connected || !running(static_cast<int>(status->peers[i].id));
      if (all) return std::nullopt;
    } else if (s.error().id != ConsoleClient::kNoAnswer) {
      last = s.error().message;  // a reply came, but not one we could read
    }
    if (Clock::now() > deadline)
      return "node " + std::to_string(id) + " not ready after " + std::to_string(bound.count() / 1000) +
             " s (last status: " + last + "); its stderr:\n" + stderr_text(id);
    std::this_thread::sleep_for(milliseconds(50));
  }
}

std::optional<ConsoleKeys> ProcessCluster::console_keys(int id, std::optional<int> as) const {
  if (!spec_.security) return std::nullopt;
  KeyFiles files(keys_dir());
  auto client = KeyFiles::client_secret(files.client_secret_path(static_cast<NodeId>(as.value_or(id))));
  auto server = files.node_curve(static_cast<NodeId>(id));
  if (!client) throw std::runtime_error(client.error().message);
  if (!server) throw std::runtime_error(server.error().message);
  return ConsoleKeys{client->curve, *server};
}

ConsoleClient ProcessCluster::console(int id, std::optional<int> as) {
  ConsoleClient client(ctx_, host(id), console_port(id), console_keys(id, as));
  client.stop_when(stop_);
  return client;
}

Result<ConsoleReply> ProcessCluster::ask(int id, const ConsoleRequest& request, milliseconds timeout) {
  return console(id).ask(request, timeout);
}

bool ProcessCluster::StatusRound::agree() const {
  return !replies.empty() && std::all_of(replies.begin(), replies.end(), [&](const auto& r) {
           return r.second.height == replies.begin()->second.height;
         });
}

ProcessCluster::StatusRound ProcessCluster::wait_same_height(milliseconds bound) {
  auto deadline = Clock::now() + bound;
  for (;;) {
    StatusRound round;
    bool all = true;
    for (const auto& [id, pid] : pids_) {
      auto s = ask(id, StatusCmd{}, milliseconds(2000));
      const auto* status = s ? std::get_if<StatusReply>(&*s) : nullptr;
      std::string said = "no reply";
      if (status)
        said = std::to_string(status->height);
      else if (s)
        said = console_reply_text(*s);
      else if (s.error().id != ConsoleClient::kNoAnswer)
        said = s.error().message;
      round.text += " node " + std::to_string(id) + ": " + said;
      if (status)
        round.replies.emplace(id, *status);
      else
        all = false;
    }
    if ((all && round.agree()) || stopped() || Clock::now() > deadline) return round;
    std::this_thread::sleep_for(milliseconds(50));
  }
}

int ProcessCluster::stop(int id, int sig, milliseconds bound) {
  auto it = pids_.find(id);
  if (it == pids_.end()) return -1;
  ::kill(it->second, sig);
  if (sig != SIGKILL) ::kill(it->second, SIGCONT);
  auto deadline = Clock::now() + bound;
  for (;;) {
    if (auto e = reap(id)) return *e;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  pid_t pid = pids_.at(id);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  pids_.erase(id);
  return exits_[id] = decode_status(status);
}

std::map<int, int> ProcessCluster::stop_all(milliseconds bound) {
  for (const auto& [id, pid] : pids_) {
    ::kill(pid, SIGTERM);
    ::kill(pid, SIGCONT);
  }
  auto deadline = Clock::now() + bound;
  while (!pids_.empty() && Clock::now() < deadline) {
    for (int id = 1; id <= spec_.nodes; ++id) reap(id);
    if (!pids_.empty()) std::this_thread::sleep_for(milliseconds(20));
  }
  for (const auto& [id, pid] : pids_) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    exits_[id] = decode_status(status);
  }
  pids_.clear();
  return exits_;
}

bool ProcessCluster::signal(int id, int sig) {
  auto it = pids_.find(id);
  return it != pids_.end() && ::kill(it->second, sig) == 0;
}

namespace {
// A /proc stat file's fields after the command name (which may hold spaces and
// parentheses): [0] is field 3, the state; empty when it cannot be read (the task is gone).
std::vector<std::string> stat_fields(const std::filesystem::path& stat) {
  std::ifstream in(stat);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  std::vector<std::string> f;
  if (close == std::string::npos) return f;
  std::istringstream fields(text.substr(close + 1));
  for (std::string s; fields >> s;) f.push_back(s);
  return f;
}

enum class Stopped { all, not_yet, gone };
// Whether every thread of `pid` is in the stopped state ('T'; 't' when traced), as /proc
// shows it; gone once it has exited ('Z', 'X', or no /proc entry): it will never stop.
Stopped thread_states(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return Stopped::gone;
  Stopped result = Stopped::gone;
  for (const auto& task : tasks) {
    const auto f = stat_fields(task.path() / "stat");
    if (f.empty()) continue;  // the thread just ended
    const char state = f[0][0];
    if (state == 'Z' || state == 'X') return Stopped::gone;
    if (state != 'T' && state != 't') return Stopped::not_yet;
    result = Stopped::all;
  }
  return result;
}
}  // namespace

bool ProcessCluster::pause(int id, std::chrono::milliseconds bound) {
  auto it = pids_.find(id);
  if (it == pids_.end() || ::kill(it->second, SIGSTOP) != 0) return false;
  const auto until = std::chrono::steady_clock::now() + bound;
  for (;;) {
    switch (thread_states(it->second)) {
      case Stopped::all: return true;
      case Stopped::gone: return false;
      case Stopped::not_yet: break;
    }
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

std::optional<double> ProcessCluster::cpu_seconds(int id) const {
  auto it = pids_.find(id);
  if (it == pids_.end()) return std::nullopt;
  const auto f = stat_fields("/proc/" + std::to_string(it->second) + "/stat");
  if (f.size() < 13) return std::nullopt;  // f[0] is field 3 (state); utime is 14, stime 15
  double ticks = std::stod(f[11]) + std::stod(f[12]);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<long long> ProcessCluster::peak_rss_kib(int id) const {
  auto it = pids_.find(id);
  if (it == pids_.end()) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(it->second) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));  // "VmHWM:   12345 kB"
  return std::nullopt;
}

}  // namespace bank
