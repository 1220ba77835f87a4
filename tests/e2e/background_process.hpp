// BackgroundProcess: a program the test runs beside the cluster (bank-web), its stdout and
// stderr into files of the test's folder; killed (SIGTERM, then SIGKILL after a bounded
// wait) when it goes out of scope.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bank::e2e {

class BackgroundProcess {
 public:
  // argv[0] is a path; output goes to `out_prefix`.out and .err.
  BackgroundProcess(const std::vector<std::string>& argv, const std::filesystem::path& out_prefix);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // SIGTERM and wait up to `bound`; the exit code, or -signal, or nullopt if it had to be killed.
  std::optional<int> stop(std::chrono::milliseconds bound = std::chrono::seconds(10));
  bool running();
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path prefix_;
  std::optional<int> exit_;
};

}  // namespace bank::e2e
