// Fuzz target: a cluster config file's text (ClusterConfig::parse), seeded with JSON
// configs. The config format accepts JSON, so a text that nlohmann reads as a JSON object
// is never refused as bad syntax (save nesting deeper than the loader's documented limit);
// and the loader reads JSON apart from YAML, so where yaml-cpp can read the same text as
// YAML ("---" put before it keeps it off the JSON path), both must give the same config or
// the same error. See config_checks.hpp for what every text must satisfy besides.
#include "config/cluster_config.hpp"

#include <nlohmann/json.hpp>
#include <string>

#include "tests/fuzz/config_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using bank::ClusterConfig;
  const std::string_view text = bank::fuzz::as_text(data, size);
  const auto loaded = ClusterConfig::parse(text, bank::fuzz::kConfigBase);
  bank::fuzz::check_config(loaded, text);
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || text.find('\0') != std::string_view::npos) return 0;

  const bool too_deep = !loaded.ok() && loaded.error().message.find("nested too deeply") != std::string::npos;
  if (!loaded.ok() && loaded.error().id == "config.syntax" && !too_deep)
    std::fprintf(stderr, "fuzz: %s\n", loaded.error().message.c_str());
  bank::fuzz::expect(loaded.ok() || loaded.error().id != "config.syntax" || too_deep,
                     "a JSON object is never refused as bad syntax");

  const auto as_yaml = ClusterConfig::parse("---\n" + std::string(text), bank::fuzz::kConfigBase);
  if (as_yaml.ok() || (as_yaml.error().id != "config.syntax" && as_yaml.error().id != "config.encoding"))
    bank::fuzz::expect_alike(loaded, as_yaml, "a JSON config reads as yaml-cpp reads it as YAML");
  return 0;
}
