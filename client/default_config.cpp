// default_config_path: the current folder first, then the checkout of the running program.
#include "client/default_config.hpp"

namespace bank {

std::filesystem::path default_config_path() {
  namespace fs = std::filesystem;
  fs::path here = "config/cluster.yaml";
  if (fs::exists(here)) return here;
  std::error_code ec;
  auto exe = fs::canonical("/proc/self/exe", ec);
  if (!ec) {
    auto beside = exe.parent_path().parent_path().parent_path() / "config/cluster.yaml";  // build/bin/ -> repo
    if (fs::exists(beside)) return beside;
  }
  return here;
}

}  // namespace bank
