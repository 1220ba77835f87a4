// ClusterHarness: relays, JSON console requests, logs and programs for the end-to-end tests.
#include "cluster_harness.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <thread>

extern char** environ;

namespace bank::e2e {

namespace {

std::filesystem::path fresh_dir() {
  char tmpl[] = "/tmp/bank-e2e-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

// The hosting BANK_E2E_HOSTING names; none when it is not set (the node's default).
std::optional<Hosting> hosting_from_environment() {
  const char* name = std::getenv("BANK_E2E_HOSTING");
  if (!name) return std::nullopt;
  if (auto hosting = parse_hosting(name)) return hosting;
  throw std::runtime_error("BANK_E2E_HOSTING is '" + std::string(name) +
                           "'; it must be one_thread or thread_per_actor");
}

ClusterSpec spec(int nodes, std::string extra_yaml) {
  return ClusterSpec{.nodes = nodes,
                     .initial_balance = 1000,
                     .fsync = true,
                     .batch = std::nullopt,
                     .hosting = hosting_from_environment(),
                     .extra_yaml = std::move(extra_yaml),
                     .written_by = ""};
}

std::filesystem::path relayed_config(const std::filesystem::path& dir, int id) {
  return dir / ("node-" + std::to_string(id) + ".yaml");
}

}  // namespace

ClusterHarness::ClusterHarness(int nodes, std::string extra_yaml, bool relayed)
    : cluster_(fresh_dir(), BANK_NODE_BIN, spec(nodes, std::move(extra_yaml))) {
  if (!relayed) return;
  std::map<int, std::uint16_t> relay_ports;
  for (int id = 1; id <= nodes; ++id) {
    relay_ports[id] = ProcessCluster::free_port();
    relays_[id] = std::make_unique<TcpRelay>(relay_ports[id], cluster_.peer_port(id));
  }
  // The shared config names the real ports; a relayed node's own config reaches its peers
  // through their relays. Both make the same genesis (same balances).
  for (int id = 1; id <= nodes; ++id) {
    auto others = relay_ports;
    others.erase(id);
    cluster_.write_config(relayed_config(dir(), id), others);
  }
}

ClusterHarness::~ClusterHarness() {
  cluster_.stop_all();
  std::error_code ec;
  if (!std::getenv("E2E_KEEP")) std::filesystem::remove_all(dir(), ec);
}

void ClusterHarness::start(int id, std::optional<std::filesystem::path> config) {
  if (!config && !relays_.empty()) config = relayed_config(dir(), id);
  cluster_.start(id, config);
}

void ClusterHarness::start_all() {
  for (int id = 1; id <= size(); ++id) start(id);
}

void ClusterHarness::cut_links() {
  for (auto& [id, r] : relays_) r->cut();
}

int ClusterHarness::cuts() const {
  int n = 0;
  for (const auto& [id, r] : relays_) n += r->cuts_done();
  return n;
}

std::optional<nlohmann::json> ClusterHarness::ask_raw(int id, const std::string& bytes,
                                                      std::chrono::milliseconds timeout) {
  auto reply = cluster_.console(id).ask_raw(bytes, timeout);
  if (!reply) return std::nullopt;
  auto j = nlohmann::json::parse(*reply, nullptr, false);
  if (j.is_discarded()) return nlohmann::json{{"unparsable", *reply}};
  return j;
}

namespace {
std::optional<nlohmann::json> parsed(const std::optional<std::string>& reply) {
  if (!reply) return std::nullopt;
  auto j = nlohmann::json::parse(*reply, nullptr, false);
  if (j.is_discarded()) return nlohmann::json{{"unparsable", *reply}};
  return j;
}
}  // namespace

std::optional<nlohmann::json> ClusterHarness::ask_as(int id, int as, const nlohmann::json& request,
                                                     std::chrono::milliseconds timeout) {
  return parsed(cluster_.console(id, as).ask_raw(request.dump(), timeout));
}

std::optional<nlohmann::json> ClusterHarness::ask_with(int id, std::optional<ConsoleKeys> keys,
                                                       const nlohmann::json& request, std::chrono::milliseconds timeout) {
  ConsoleClient client(cluster_.context(), cluster_.host(id), static_cast<std::uint16_t>(console_port(id)), std::move(keys));
  return parsed(client.ask_raw(request.dump(), timeout));
}

NodeSecret ClusterHarness::node_secret(int id) const {
  auto s = KeyFiles(cluster_.keys_dir()).node_secret(static_cast<NodeId>(id));
  if (!s) throw std::runtime_error(s.error().message);
  return *s;
}

zmq::socket_t ClusterHarness::peer_dealer(zmq::context_t& ctx, int as, int to, int linger_ms) const {
  const NodeSecret own = node_secret(as);
  const auto server = node_secret(to).curve.public_key;
  zmq::socket_t d(ctx, zmq::socket_type::dealer);
  d.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.data(), server.size()));
  d.set(zmq::sockopt::curve_publickey, own.curve.public_z85());
  d.set(zmq::sockopt::curve_secretkey, own.curve.secret_z85());
  d.set(zmq::sockopt::linger, linger_ms);
  d.connect("tcp://127.0.0.1:" + std::to_string(peer_port(to)));
  return d;
}

std::optional<nlohmann::json> ClusterHarness::ask(int id, const nlohmann::json& request,
                                                  std::chrono::milliseconds timeout) {
  return ask_raw(id, request.dump(), timeout);
}

void ClusterHarness::wait_ready(std::chrono::milliseconds bound) {
  if (auto why = cluster_.wait_ready(bound)) throw std::runtime_error(*why);
}

std::uint64_t ClusterHarness::wait_same_height(std::chrono::milliseconds bound) {
  auto round = cluster_.wait_same_height(bound);
  if (!round.agree()) throw std::runtime_error("heights did not converge:" + round.text);
  return round.replies.begin()->second.height;
}

std::vector<nlohmann::json> ClusterHarness::log_events(int id) const {
  std::ifstream in(cluster_.log_path(id));
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line, nullptr, false));
  return out;
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
