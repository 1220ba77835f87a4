// Signer: a node's Ed25519 signing key, which signs the blocks that spend its account
// (docs/file-formats.md#signatures): the signature covers the 32 raw bytes of the block's
// hash. Ed25519 signatures are deterministic, so a seeded simulation replays byte for byte.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace bank {

class Signer {
 public:
  using Secret = std::array<unsigned char, 64>;  // libsodium's form: seed, then public key
  using Public = std::array<unsigned char, 32>;

  explicit Signer(const Secret& secret);
  // A key derived from 32 bytes of seed (the simulation's keys, from its seed).
  static Signer from_seed(const std::array<unsigned char, 32>& seed);

  // The signature of a block hash (64 lowercase hex digits) as 128 lowercase hex digits.
  std::string sign_hash(std::string_view hash_hex) const;
  const Public& public_key() const { return public_; }
  const Secret& secret_key() const { return secret_; }

 private:
  Secret secret_;
  Public public_;
};

// True when `sig_hex` (128 hex digits) is `key`'s signature of `hash_hex` (64 hex digits);
// false for anything malformed.
bool signature_valid(const Signer::Public& key, std::string_view hash_hex, std::string_view sig_hex);

}  // namespace bank
