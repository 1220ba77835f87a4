// bank-keys: makes the key files a cluster config needs (docs/security.md).
//   bank-keys --config FILE
// For every node N of FILE that lacks them: keys_dir/node-N.secret and node-N.public (the
// node's CURVE identity and the signing key of account N), client-N.secret and
// client-N.public (the console owner of account N). Never overwrites a file; secrets are
// created with mode 0600 in a folder made 0700. One line per file created; exit 0, or 2 with
// one line on stderr for a bad config or a file it cannot make.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "config/cluster_config.hpp"
#include "security/key_files.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Lamport Bank keys: creates the key files a cluster config needs, never overwriting one",
               "bank-keys"};
  app.set_version_flag("--version", "bank-keys " BANK_VERSION);
  std::string config_path;
  app.add_option("--config", config_path, "cluster config (YAML or JSON)")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "bank-keys: %s (try --help)\n", e.what());
    return 2;
  }
  auto config = bank::ClusterConfig::load(config_path);
  if (!config) {
    std::fprintf(stderr, "bank-keys: %s: %s\n", config_path.c_str(), config.error().message.c_str());
    return 2;
  }
  auto created = bank::KeyFiles(config->keys_dir).create_missing(*config);
  if (!created) {
    std::fprintf(stderr, "bank-keys: %s\n", created.error().message.c_str());
    return 2;
  }
  for (const auto& line : *created) std::printf("%s\n", line.c_str());
  return 0;
}
