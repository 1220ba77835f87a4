// The block hash over canonical JSON, with libsodium's SHA-256.
#include "actors/ledger/block_hash.hpp"

#include <sodium.h>

namespace bank {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char* hex = "0123456789abcdef";
  std::string out(2 * sizeof digest, '0');
  for (std::size_t i = 0; i < sizeof digest; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  return out;
}

// nlohmann's json object is a sorted map and dump() prints no whitespace (block_text writes
// the same directly); txids are printable ASCII by validation, so the text is ASCII.
std::string canonical_json(const Block& block) { return block_text(block, true); }

std::string block_hash(const Block& block) { return sha256_hex(canonical_json(block)); }

}  // namespace bank
