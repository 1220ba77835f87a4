// KeyRing and Signer: signatures over block hashes (valid only for the payer's key and the
// very hash), and who a CURVE key is in which ZAP domain.
#include "security/key_ring.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace bank;

namespace {
Signer seeded(unsigned char s) {
  std::array<unsigned char, 32> seed{};
  seed.fill(s);
  return Signer::from_seed(seed);
}
const std::string kHash(64, 'a');
const std::string kOtherHash(64, 'b');
KeyRing::CurveKey curve(unsigned char c) {
  KeyRing::CurveKey k{};
  k.fill(c);
  return k;
}
std::string text(const KeyRing::CurveKey& k) { return std::string(k.begin(), k.end()); }
}  // namespace

TEST_CASE("signer: a signature is 128 hex digits, deterministic, and valid only for its key and hash") {
  const Signer a = seeded(1), b = seeded(2);
  const std::string sig = a.sign_hash(kHash);
  CHECK(sig.size() == 128);
  CHECK(sig == a.sign_hash(kHash));
  CHECK(signature_valid(a.public_key(), kHash, sig));
  CHECK_FALSE(signature_valid(b.public_key(), kHash, sig));
  CHECK_FALSE(signature_valid(a.public_key(), kOtherHash, sig));
  std::string flipped = sig;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  CHECK_FALSE(signature_valid(a.public_key(), kHash, flipped));
  CHECK_FALSE(signature_valid(a.public_key(), kHash, sig.substr(0, 127)));
  CHECK_FALSE(signature_valid(a.public_key(), kHash, std::string(128, 'z')));
  CHECK_FALSE(signature_valid(a.public_key(), "not a hash", sig));
}

TEST_CASE("key ring: signed_by names the payer whose key signed, an unknown payer never verifies") {
  const Signer one = seeded(1), two = seeded(2);
  KeyRing ring;
  ring.add_node(1, curve(1), one.public_key());
  ring.add_node(2, curve(2), two.public_key());
  const std::string sig = one.sign_hash(kHash);
  CHECK(ring.signed_by(1, kHash, sig));
  CHECK_FALSE(ring.signed_by(2, kHash, sig));
  CHECK_FALSE(ring.signed_by(3, kHash, sig));
}

TEST_CASE("key ring: node keys are admitted on the peer domain only, client keys on the console domain only") {
  KeyRing ring;
  ring.add_node(1, curve(1), seeded(1).public_key());
  ring.add_client(1, curve(11));
  ring.add_client(2, curve(12));
  CHECK(ring.admit(KeyRing::kPeerDomain, text(curve(1))) == Principal{Principal::Kind::node, 1});
  CHECK_FALSE(ring.admit(KeyRing::kConsoleDomain, text(curve(1))));
  CHECK(ring.admit(KeyRing::kConsoleDomain, text(curve(12))) == Principal{Principal::Kind::client, 2});
  CHECK_FALSE(ring.admit(KeyRing::kPeerDomain, text(curve(12))));
  CHECK_FALSE(ring.admit(KeyRing::kConsoleDomain, text(curve(99))));      // unknown key
  CHECK_FALSE(ring.admit(KeyRing::kConsoleDomain, "short"));              // not a key
  CHECK_FALSE(ring.admit("other", text(curve(11))));                      // unknown domain
}

TEST_CASE("principal: the ZAP user id round-trips and anything else is refused") {
  CHECK(Principal{Principal::Kind::node, 7}.user_id() == "node-7");
  CHECK(Principal{Principal::Kind::client, 3}.user_id() == "client-3");
  CHECK(Principal::from_user_id("node-7") == Principal{Principal::Kind::node, 7});
  CHECK(Principal::from_user_id("client-3") == Principal{Principal::Kind::client, 3});
  for (const char* bad : {"", "node-", "node-0", "node-x", "client-3x", "admin-1", "node--1", "node-99999999999"})
    CHECK_MESSAGE(!Principal::from_user_id(bad), bad);
}
