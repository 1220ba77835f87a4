// LocalCluster: config writing, process spawning and stopping, console requests, /proc reading.
#include "apps/bench/local_cluster.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "apps/bench/stop_signal.hpp"
#include "config/cluster_config.hpp"

extern char** environ;

namespace bank::bench {

namespace {
std::string exit_text(int e) {
  return e >= 0 ? "exited with code " + std::to_string(e) : "was killed by signal " + std::to_string(-e);
}
int decode_status(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status); }
}  // namespace

// A port the kernel just handed out and took back; never the same one twice in this process.
// Another program may still take it before the node binds; the node then exits 2 saying so.
std::uint16_t LocalCluster::free_port() {
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

LocalCluster::LocalCluster(std::filesystem::path dir, std::filesystem::path node_bin, ClusterSpec spec)
    : dir_(std::move(dir)), node_bin_(std::move(node_bin)), config_(dir_ / "cluster.yaml"), spec_(spec) {
  for (int id = 1; id <= spec_.nodes; ++id) ports_[id] = {free_port(), free_port()};
  std::ofstream c(config_);
  c << "# written by bank-bench\n"
    << "initial_balance: " << format_dollars(spec_.initial_balance) << "\n"
    << "data_dir: data\n"
    << "fsync: " << (spec_.fsync ? "true" : "false") << "\n";
  if (spec_.batch) c << "batch: " << *spec_.batch << "\n";
  c << "nodes:\n";
  for (const auto& [id, p] : ports_)
    c << "  - id: " << id << "\n    host: 127.0.0.1\n    port: " << p.first << "\n    console: " << p.second << "\n";
  c.flush();
  if (!c) throw std::runtime_error("cannot write " + config_.string());
}

LocalCluster::~LocalCluster() {
  if (!pids_.empty()) stop_all(std::chrono::seconds(10));
}

std::filesystem::path LocalCluster::log_path(int id) const { return dir_ / ("node-" + std::to_string(id) + ".log"); }

std::string LocalCluster::stderr_text(int id) const {
  std::ifstream in(dir_ / ("node-" + std::to_string(id) + ".stderr"));
  std::stringstream s;
  s << in.rdbuf();
  auto text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void LocalCluster::start_all() {
  for (int id = 1; id <= spec_.nodes; ++id) {
    std::string err = (dir_ / ("node-" + std::to_string(id) + ".stderr")).string();
    std::vector<std::string> args{node_bin_.string(), "--config", config_.string(),     "--id",
                                  std::to_string(id), "--log",    log_path(id).string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + node_bin_.string() + ": " + std::strerror(rc));
    pids_[id] = pid;
  }
}

std::optional<int> LocalCluster::reap(int id) {
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

std::optional<std::string> LocalCluster::wait_ready(std::chrono::milliseconds bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  for (int id = 1; id <= spec_.nodes; ++id) {
    std::string last = "no status reply";
    for (;;) {
      if (StopSignal::requested()) return "interrupted";
      if (auto e = reap(id))
        return "node " + std::to_string(id) + " " + exit_text(*e) + " during start-up; its stderr:\n" + stderr_text(id);
      auto s = ask(id, {{"cmd", "status"}}, std::chrono::milliseconds(500));
      if (s) {
        last = s->dump();
        bool all = s->value("ok", false) && s->contains("peers") && (*s)["peers"].is_array();
        if (all)
          for (const auto& p : (*s)["peers"])
            if (!p.value("connected", false)) all = false;
        if (all) break;
      }
      if (std::chrono::steady_clock::now() > deadline)
        return "node " + std::to_string(id) + " not ready after " + std::to_string(bound.count() / 1000) +
               " s (last status: " + last + "); its stderr:\n" + stderr_text(id);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return std::nullopt;
}

std::optional<nlohmann::json> LocalCluster::ask(int id, const nlohmann::json& request,
                                                std::chrono::milliseconds timeout) {
  zmq::socket_t req(ctx_, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.connect("tcp://127.0.0.1:" + std::to_string(console_port(id)));
  auto text = request.dump();
  req.send(zmq::buffer(text), zmq::send_flags::none);
  zmq::pollitem_t item{req.handle(), 0, ZMQ_POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Short polls so a Ctrl-C is seen; a signal makes zmq_poll fail with EINTR.
  while (!(item.revents & ZMQ_POLLIN) && !StopSignal::requested()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    try {
      zmq::poll(&item, 1, std::min(left, std::chrono::milliseconds(100)));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
  }
  if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
  zmq::message_t m;
  if (!req.recv(m, zmq::recv_flags::dontwait)) return std::nullopt;
  auto j = nlohmann::json::parse(m.to_string_view(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return nlohmann::json{{"ok", false}, {"unparsable", m.to_string()}};
  return j;
}

std::optional<double> LocalCluster::cpu_seconds(int id) const {
  auto it = pids_.find(id);
  if (it == pids_.end()) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(it->second) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::vector<std::string> f;
  for (std::string s; fields >> s;) f.push_back(s);
  if (f.size() < 13) return std::nullopt;  // f[0] is field 3 (state); utime is 14, stime 15
  double ticks = std::stod(f[11]) + std::stod(f[12]);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<long long> LocalCluster::peak_rss_kib(int id) const {
  auto it = pids_.find(id);
  if (it == pids_.end()) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(it->second) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));  // "VmHWM:   12345 kB"
  return std::nullopt;
}

std::map<int, int> LocalCluster::stop_all(std::chrono::milliseconds bound) {
  for (const auto& [id, pid] : pids_) ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (!pids_.empty() && std::chrono::steady_clock::now() < deadline) {
    for (int id = 1; id <= spec_.nodes; ++id) reap(id);
    if (!pids_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
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

}  // namespace bank::bench
