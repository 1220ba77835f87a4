// DevtoolsPipe: Chromium reads commands on its fd 3 and writes replies and events on fd 4.
#include "devtools_pipe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace bank::e2e {

DevtoolsPipe::DevtoolsPipe(const std::string& chromium, const std::filesystem::path& profile) {
  int to[2], from[2];
  if (pipe(to) != 0 || pipe(from) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, to[0], 3);
  posix_spawn_file_actions_adddup2(&fa, from[1], 4);
  const std::string user = "--user-data-dir=" + profile.string();
  std::vector<std::string> argv{chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--remote-debugging-pipe", user, "about:blank"};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int rc = posix_spawn(&pid_, chromium.c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(to[0]);
  close(from[1]);
  to_ = to[1];
  from_ = from[0];
  if (rc != 0) throw std::runtime_error("cannot start " + chromium);
  signal(SIGPIPE, SIG_IGN);  // a browser that died must fail the test, not kill it
}

DevtoolsPipe::~DevtoolsPipe() {
  call("Browser.close", nlohmann::json::object(), false, std::chrono::seconds(5));
  close(to_);
  close(from_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::optional<nlohmann::json> DevtoolsPipe::call(const std::string& method, const nlohmann::json& params, bool in_page,
                                                 std::chrono::milliseconds bound) {
  const int id = next_id_++;
  nlohmann::json msg = {{"id", id}, {"method", method}, {"params", params}};
  if (in_page) msg["sessionId"] = session_;
  const std::string bytes = msg.dump() + std::string(1, '\0');
  if (write(to_, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    for (auto end = buffer_.find('\0'); end != std::string::npos; end = buffer_.find('\0')) {
      auto reply = nlohmann::json::parse(buffer_.substr(0, end), nullptr, false);
      buffer_.erase(0, end + 1);
      if (reply.is_object() && reply.value("id", -1) == id) {
        if (reply.contains("error")) return std::nullopt;
        return reply["result"];
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{from_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char chunk[65536];
    const auto n = read(from_, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool DevtoolsPipe::open(const std::string& url) {
  auto target = call("Target.createTarget", {{"url", url}}, false, std::chrono::seconds(30));
  if (!target) return false;
  auto attached = call("Target.attachToTarget", {{"targetId", (*target)["targetId"]}, {"flatten", true}}, false,
                       std::chrono::seconds(30));
  if (!attached) return false;
  session_ = (*attached)["sessionId"];
  return true;
}

std::optional<nlohmann::json> DevtoolsPipe::eval(const std::string& expression, std::chrono::milliseconds bound) {
  auto r = call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}}, true, bound);
  if (!r || r->contains("exceptionDetails")) return std::nullopt;
  return (*r)["result"].value("value", nlohmann::json());
}

}  // namespace bank::e2e
