// JSON config text read by nlohmann into the YAML nodes the config loader checks. yaml-cpp
// reads most JSON as YAML, but not all: it refuses an escaped pair of UTF-16 surrogates
// ("\ud83d\ude00", how Python's json.dumps writes a character beyond U+FFFF) and a key
// longer than YAML's 1024 characters. The config format accepts JSON, so JSON goes
// through the JSON parser (found by tests/fuzz/cluster_config_json.cpp).
#pragma once

#include <optional>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace bank {

// The nesting depth past which json_as_yaml declines, so yaml-cpp refuses the text as it
// refuses any document nested that deeply.
inline constexpr std::size_t kMaxJsonConfigDepth = 500;

// When `text` is a JSON object (RFC 8259, as nlohmann reads it), the nodes yaml-cpp would
// build for it as YAML: a string is a quoted scalar (tag "!"), a number, true and false are
// plain scalars (tag "?") with their text as written, null is a null node, and a map keeps
// its keys in order, a repeated one included. nullopt for any other text (YAML, broken
// JSON, a JSON value that is not an object, nesting deeper than kMaxJsonConfigDepth).
std::optional<YAML::Node> json_as_yaml(std::string_view text);

}  // namespace bank
