// Signer: Ed25519 through libsodium.
#include "security/signer.hpp"

#include <stdexcept>

#include <sodium.h>

namespace bank {

namespace {

void init_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

// Hex to exactly N bytes; false on anything else.
template <std::size_t N>
bool from_hex(std::string_view hex, std::array<unsigned char, N>& out) {
  if (hex.size() != 2 * N) return false;
  std::size_t len = 0;
  const char* end = nullptr;
  return sodium_hex2bin(out.data(), N, hex.data(), hex.size(), nullptr, &len, &end) == 0 && len == N &&
         end == hex.data() + hex.size();
}

}  // namespace

Signer::Signer(const Secret& secret) : secret_(secret) {
  init_sodium();
  crypto_sign_ed25519_sk_to_pk(public_.data(), secret_.data());
}

Signer Signer::from_seed(const std::array<unsigned char, 32>& seed) {
  init_sodium();
  Public pub;
  Secret secret;
  crypto_sign_seed_keypair(pub.data(), secret.data(), seed.data());
  return Signer(secret);
}

std::string Signer::sign_hash(std::string_view hash_hex) const {
  std::array<unsigned char, 32> hash{};
  if (!from_hex(hash_hex, hash)) throw std::invalid_argument("sign_hash: not a block hash");
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, hash.data(), hash.size(), secret_.data());
  std::string hex(2 * sig.size() + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), sig.data(), sig.size());
  hex.pop_back();
  return hex;
}

bool signature_valid(const Signer::Public& key, std::string_view hash_hex, std::string_view sig_hex) {
  std::array<unsigned char, 32> hash{};
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  if (!from_hex(hash_hex, hash) || !from_hex(sig_hex, sig)) return false;
  return crypto_sign_verify_detached(sig.data(), hash.data(), hash.size(), key.data()) == 0;
}

}  // namespace bank
