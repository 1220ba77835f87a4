// KeyRing: lookups by CURVE key and signature checks.
#include "security/key_ring.hpp"

#include <charconv>
#include <cstring>

namespace bank {

std::string Principal::user_id() const {
  return (kind == Kind::node ? "node-" : "client-") + std::to_string(id);
}

std::optional<Principal> Principal::from_user_id(std::string_view text) {
  Principal p;
  if (text.starts_with("node-")) {
    text.remove_prefix(5);
  } else if (text.starts_with("client-")) {
    p.kind = Kind::client;
    text.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p.id);
  if (ec != std::errc() || end != text.data() + text.size() || p.id == 0) return std::nullopt;
  return p;
}

void KeyRing::add_node(NodeId id, const CurveKey& curve, const Signer::Public& sign) {
  node_curve_[id] = curve;
  node_sign_[id] = sign;
  by_curve_[curve] = Principal{Principal::Kind::node, id};
}

void KeyRing::add_client(NodeId id, const CurveKey& curve) {
  by_curve_[curve] = Principal{Principal::Kind::client, id};
}

std::optional<Principal> KeyRing::admit(std::string_view domain, std::string_view curve) const {
  CurveKey key{};
  if (curve.size() != key.size()) return std::nullopt;
  std::memcpy(key.data(), curve.data(), key.size());
  auto it = by_curve_.find(key);
  if (it == by_curve_.end()) return std::nullopt;
  const auto wanted = domain == kPeerDomain ? Principal::Kind::node : Principal::Kind::client;
  if ((domain != kPeerDomain && domain != kConsoleDomain) || it->second.kind != wanted) return std::nullopt;
  return it->second;
}

bool KeyRing::signed_by(NodeId payer, std::string_view hash_hex, std::string_view sig_hex) const {
  auto it = node_sign_.find(payer);
  return it != node_sign_.end() && signature_valid(it->second, hash_hex, sig_hex);
}

const KeyRing::CurveKey* KeyRing::node_curve(NodeId id) const {
  auto it = node_curve_.find(id);
  return it == node_curve_.end() ? nullptr : &it->second;
}

const Signer::Public* KeyRing::signing_key(NodeId id) const {
  auto it = node_sign_.find(id);
  return it == node_sign_.end() ? nullptr : &it->second;
}

}  // namespace bank
