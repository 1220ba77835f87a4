// Counting the documents of a YAML text without building them, up to a bound. yaml-cpp's
// LoadAll never ends on some malformed texts: a stray ',' outside any flow collection
// (",", "[1],", "{a: 1}, {b: 2}") makes every call for the next document return one more
// empty document, until memory runs out (found by tests/fuzz/cluster_config_json.cpp). The
// config loader counts up to 2 with this, then loads the one document with YAML::Load.
#pragma once

#include <cstddef>
#include <string_view>

namespace bank {

// The number of documents in `text`, at most `bound`. Throws what yaml-cpp's parser throws
// for a text that is not YAML (YAML::ParserException, YAML::DeepRecursion).
std::size_t count_yaml_documents(std::string_view text, std::size_t bound);

}  // namespace bank
