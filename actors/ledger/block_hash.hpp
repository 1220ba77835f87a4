// The block hash: lowercase hex SHA-256 (libsodium) of the block's canonical JSON without
// its hash field (docs/file-formats.md#blocks).
#pragma once

#include <string>
#include <string_view>

#include "messages/block.hpp"

namespace bank {

std::string sha256_hex(std::string_view bytes);
std::string canonical_json(const Block& block);  // sorted keys, no whitespace, ASCII
std::string block_hash(const Block& block);
inline const std::string zero_hash(64, '0');

}  // namespace bank
