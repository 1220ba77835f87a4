// ClusterHarness: processes, ports, consoles and logs for the end-to-end tests.
#include "cluster_harness.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace bank::e2e {

// A port the kernel just handed out and took back; never the same one twice in a process.
int ClusterHarness::free_port() {
  static std::set<int> handed;
  for (;;) {
    int port = probe_port();
    if (handed.insert(port).second) return port;
  }
}

int ClusterHarness::probe_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("no free port");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

ClusterHarness::ClusterHarness(int nodes, std::string extra_yaml, bool relayed) : nodes_(nodes) {
  char tmpl[] = "/tmp/bank-e2e-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  config_ = dir_ / "cluster.yaml";
  std::map<int, int> relay_ports;
  for (int id = 1; id <= nodes; ++id) {
    ports_[id] = {free_port(), free_port()};
    if (relayed) {
      relay_ports[id] = free_port();
      relays_[id] = std::make_unique<TcpRelay>(relay_ports[id], ports_[id].first);
    }
  }
  // The shared config names the real ports; a relayed node's own config reaches its peers
  // through their relays. Both make the same genesis (same balances).
  auto write = [&](const std::filesystem::path& path, int self) {
    std::ofstream c(path);
    c << "initial_balance: 10.00\ndata_dir: data\nfsync: true\n" << extra_yaml << "nodes:\n";
    for (int id = 1; id <= nodes; ++id) {
      int port = (self != 0 && id != self) ? relay_ports[id] : ports_[id].first;
      c << "  - id: " << id << "\n    host: 127.0.0.1\n    port: " << port << "\n    console: " << ports_[id].second
        << "\n";
    }
  };
  write(config_, 0);
  for (int id = 1; relayed && id <= nodes; ++id) write(dir_ / ("node-" + std::to_string(id) + ".yaml"), id);
}

void ClusterHarness::cut_links() {
  for (auto& [id, r] : relays_) r->cut();
}

int ClusterHarness::cuts() const {
  int n = 0;
  for (const auto& [id, r] : relays_) n += r->cuts_done();
  return n;
}

ClusterHarness::~ClusterHarness() {
  stop_all();
  std::error_code ec;
  if (!std::getenv("E2E_KEEP")) std::filesystem::remove_all(dir_, ec);
}

void ClusterHarness::start(int id, std::optional<std::filesystem::path> config_override) {
  std::string log = (dir_ / ("node-" + std::to_string(id) + ".log")).string();
  std::string err = (dir_ / ("node-" + std::to_string(id) + ".stderr")).string();
  auto config = config_override ? *config_override
                : relays_.empty()  ? config_
                                   : dir_ / ("node-" + std::to_string(id) + ".yaml");
  std::vector<std::string> args{BANK_NODE_BIN, "--config", config.string(), "--id", std::to_string(id), "--log", log};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start bank-node");
  pids_[id] = pid;
}

void ClusterHarness::start_all() {
  for (int id = 1; id <= nodes_; ++id) start(id);
}

int ClusterHarness::stop(int id, int sig) {
  auto it = pids_.find(id);
  if (it == pids_.end()) return -1;
  pid_t pid = it->second;
  pids_.erase(it);
  ::kill(pid, sig);
  if (sig != SIGKILL) ::kill(pid, SIGCONT);
  int status = 0;
  for (int i = 0; i < 200; ++i) {  // 10 s
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -SIGKILL;
}

bool ClusterHarness::signal(int id, int sig) {
  auto it = pids_.find(id);
  return it != pids_.end() && ::kill(it->second, sig) == 0;
}

void ClusterHarness::stop_all() {
  while (!pids_.empty()) stop(pids_.begin()->first);
}

std::optional<nlohmann::json> ClusterHarness::ask_raw(int id, const std::string& bytes, std::chrono::milliseconds timeout) {
  zmq::socket_t req(ctx_, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.connect("tcp://127.0.0.1:" + std::to_string(console_port(id)));
  req.send(zmq::buffer(bytes), zmq::send_flags::none);
  zmq::pollitem_t item{req.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, timeout);
  if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
  zmq::message_t m;
  (void)req.recv(m, zmq::recv_flags::none);
  auto j = nlohmann::json::parse(m.to_string_view(), nullptr, false);
  if (j.is_discarded()) return nlohmann::json{{"unparsable", m.to_string()}};
  return j;
}

std::optional<nlohmann::json> ClusterHarness::ask(int id, const nlohmann::json& request, std::chrono::milliseconds timeout) {
  return ask_raw(id, request.dump(), timeout);
}

void ClusterHarness::wait_ready(std::chrono::milliseconds bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  for (auto& [id, pid] : pids_) {
    for (;;) {
      auto s = ask(id, {{"cmd", "status"}}, std::chrono::milliseconds(300));
      bool all = s && s->value("ok", false);
      if (all)
        for (const auto& p : (*s)["peers"])
          if (running(p["id"].get<int>()) && !p["connected"].get<bool>()) all = false;
      if (all) break;
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("node " + std::to_string(id) + " not ready: " + (s ? s->dump() : "no status reply") +
                                 " " + stderr_text(id));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

std::uint64_t ClusterHarness::wait_same_height(std::chrono::milliseconds bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    std::optional<std::uint64_t> h;
    bool same = true;
    for (auto& [id, pid] : pids_) {
      auto s = ask(id, {{"cmd", "status"}}, std::chrono::seconds(2));
      if (!s || !s->value("ok", false)) {
        same = false;
        break;
      }
      auto height = (*s)["height"].get<std::uint64_t>();
      if (h && *h != height) same = false;
      h = height;
    }
    if (same && h) return *h;
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("heights did not converge");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<nlohmann::json> ClusterHarness::log_events(int id) const {
  std::ifstream in(dir_ / ("node-" + std::to_string(id) + ".log"));
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line, nullptr, false));
  return out;
}

std::string ClusterHarness::stderr_text(int id) const {
  std::ifstream in(dir_ / ("node-" + std::to_string(id) + ".stderr"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

CommandResult ClusterHarness::run(const std::vector<std::string>& args, const std::string& input,
                                  std::chrono::milliseconds bound) {
  int in[2], out[2], err[2];
  if (::pipe(in) || ::pipe(out) || ::pipe(err)) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) posix_spawn_file_actions_addclose(&fa, fd);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) throw std::runtime_error("cannot run " + args[0]);
  (void)!::write(in[1], input.data(), input.size());
  ::close(in[1]);
  CommandResult r;
  auto deadline = std::chrono::steady_clock::now() + bound;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  while (open > 0 && std::chrono::steady_clock::now() < deadline) {
    ::poll(fds, 2, 100);
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? r.out : r.err).append(buf, n);
      }
    }
  }
  if (open > 0) ::kill(pid, SIGKILL);
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace bank::e2e
