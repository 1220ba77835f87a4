// Fuzz target: a cluster config file's text (ClusterConfig::parse), seeded with YAML
// configs. See config_checks.hpp for what every text must satisfy.
#include "config/cluster_config.hpp"

#include "tests/fuzz/config_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = bank::fuzz::as_text(data, size);
  bank::fuzz::check_config(bank::ClusterConfig::parse(text, bank::fuzz::kConfigBase), text);
  return 0;
}
